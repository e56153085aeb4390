import { describe, expect, it } from 'vitest';
import { comparePaired, type PairedComparand } from '../../src/compare/paired/compare.js';
import { mulberry32, standardNormal } from '../../src/compare/stats/prng.js';
import { nominalLevel, sequentialDesign, sequentialP } from '../../src/compare/stats/sequential.js';

describe('sequential design', () => {
  it('is the fixed-sample exact test when min equals max', () => {
    const design = sequentialDesign(10, 10, { paths: 20_000 });
    // One look at n = 10: P(p <= 0.0488) is the exact tail 50/1024 = 0.0488 (T+ <= 8 or >= 47).
    expect(sequentialP(50 / 1024, design)).toBeCloseTo(50 / 1024, 2);
  });

  it('charges more than the one-look p for the same nominal p when it looks after every round', () => {
    const design = sequentialDesign(5, 30, { paths: 20_000 });
    expect(sequentialP(0.01, design)).toBeGreaterThan(0.02);
  });

  it('sets a nominal boundary below the overall level', () => {
    const design = sequentialDesign(5, 30, { paths: 20_000 });
    const c = nominalLevel(0.05, design);
    expect(c).toBeGreaterThan(0);
    expect(c).toBeLessThan(0.05);
    expect(sequentialP(c, design)).toBeLessThanOrEqual(0.05 + 1e-9);
  });
});

function comparand(name: string, shift: number, noise: number, rounds: number, seed: number): PairedComparand {
  const random = mulberry32(seed);
  const base: number[] = [];
  const head: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const common = Math.exp(0.2 * standardNormal(random)); // round-to-round drift shared by both sides
    base.push(100 * common * Math.exp(noise * standardNormal(random)));
    head.push(100 * (1 + shift) * common * Math.exp(noise * standardNormal(random)));
  }
  return { name, unit: 'ns', better: 'lower', base, head, tolerance: 0.01, alpha: 0.05 };
}

describe('paired comparison', () => {
  const options = { rounds: { min: 5, max: 30 }, test: 'signed-rank' as const, seed: 1 };

  it('calls a 5% slowdown under 1% noise a regression despite 20% drift shared by both sides', () => {
    const r = comparePaired([comparand('wall', 0.05, 0.01, 12, 3)], options, false);
    expect(r.verdicts.get('wall')?.status).toBe('regression');
    expect(r.decided).toBe(true);
  });

  it('stays undecided before the final look when the interval spans 0 and the tolerance', () => {
    const r = comparePaired([comparand('wall', 0, 0.05, 6, 4)], options, false);
    expect(r.verdicts.get('wall')?.status).toBe('inconclusive');
    expect(r.decided).toBe(false);
  });

  it('passes a metric whose interval lies inside the tolerance', () => {
    const r = comparePaired([{ ...comparand('wall', 0, 0.001, 20, 5), tolerance: 0.02 }], options, false);
    expect(r.verdicts.get('wall')?.status).toBe('pass');
    expect(r.details.get('wall')?.decided).toBe(true);
  });

  it('reports the change as the Hodges-Lehmann ratio minus 1 on the log scale', () => {
    const c = { ...comparand('wall', 0, 0, 5, 6), base: [100, 100, 100, 100, 100], head: [110, 110, 110, 110, 110] };
    const v = comparePaired([c], options, true).verdicts.get('wall');
    expect(v && 'change' in v ? v.change : NaN).toBeCloseTo(0.1, 12);
  });
});
