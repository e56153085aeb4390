import { describe, expect, it } from 'vitest';
import { foldZeros, mapScenarioSeries, unfoldZeros } from '../../src/report/compact-grids.js';
import type { SchedTimeline } from '../../src/run/timeline.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('zero-run coding of series rows', () => {
  it('codes runs of two or more zeros and leaves other cells as they are', () => {
    expect(foldZeros([0, 0, 0, 5, 0, 3, 0, 0])).toEqual([-3, 5, 0, 3, -2]);
    expect(foldZeros([])).toEqual([]);
    expect(foldZeros([1.5, 2])).toEqual([1.5, 2]);
  });

  it('reads back every row it wrote, and rows written before the coding', () => {
    const next = rng(7);
    for (let t = 0; t < 200; t++) {
      const row = Array.from({ length: Math.floor(next() * 120) }, () => (next() < 0.7 ? 0 : Math.floor(next() * 1e7)));
      expect(unfoldZeros(foldZeros(row))).toEqual(row);
    }
    expect(unfoldZeros([0, 4, 0])).toEqual([0, 4, 0]);
  });

  it('folds a timeline and the A/B base side, and unfolds them to the same values', () => {
    const timeline: SchedTimeline[] = [
      {
        repetition: 1,
        slotNs: 1e7,
        slots: 6,
        cpus: [0, 1],
        groups: [{ name: 'worker*', onCpuNs: [[0, 0, 0, 9e6, 9e6, 0], [5e6, 0, 0, 0, 0, 0]], switches: [[0, 0, 0, 2, 1, 0], [1, 0, 0, 0, 0, 0]] }],
        readyDelayNs: [0, 0, 0, 0, 120, 0],
        lost: 0,
      },
    ];
    const scenario = { name: 's', timeline, baseSide: { timeline } };
    const folded = mapScenarioSeries(scenario, 'fold');
    expect((folded.timeline?.[0]?.groups[0] as { onCpuUs?: number[][] } | undefined)?.onCpuUs?.[1]).toEqual([5000, -5]);
    expect(folded.baseSide?.timeline?.[0]?.readyDelayNs).toEqual([-4, 120, 0]);
    expect(mapScenarioSeries(folded, 'unfold')).toEqual(scenario);
  });
});

describe('a cell that cannot be coded', () => {
  it('is written as null, which the schema refuses', () => {
    expect(foldZeros([3, -1, Number.NaN])).toEqual([3, null, null]);
  });
});
