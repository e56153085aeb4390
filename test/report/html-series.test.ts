import { describe, expect, test } from 'vitest';
import { cpuSeriesOf } from '../../src/collect/proc/cpu-series.js';
import { parseInterrupts } from '../../src/collect/proc/interrupts.js';
import type { SystemSample } from '../../src/collect/proc/snapshot.js';
import { parseSoftirqs } from '../../src/collect/proc/softirqs.js';
import { CPU_SERIES_MAX_INTERVALS } from '../../src/run/timeline.js';

/** A /proc snapshot with one device IRQ, the local timer and two softirq vectors on CPUs 0 and 1. */
function sample(t: number, irq: [number, number], loc: [number, number], netRx: [number, number]): SystemSample {
  const interrupts = parseInterrupts(
    `           CPU0       CPU1\n` +
      ` 24: ${irq[0]} ${irq[1]} PCI-MSIX-0000:00:03.0 0-edge virtio0-input.0\n` +
      `LOC: ${loc[0]} ${loc[1]} Local timer interrupts\n`,
  );
  const softirqs = parseSoftirqs(`                    CPU0       CPU1\n      TIMER: ${loc[0]} ${loc[1]}\n     NET_RX: ${netRx[0]} ${netRx[1]}\n      BLOCK: 0 0\n`);
  return { t, interrupts, softirqs, stat: null, psi: null, cgroupPressure: null, cgroupCpuStat: null, taskRunDelayNs: null };
}

describe('the per-CPU interrupt series of a repetition', () => {
  test('each interval holds the increase of each CPU, device and architecture rows apart', () => {
    const series = cpuSeriesOf([sample(0, [10, 0], [100, 200], [5, 5]), sample(0.25, [13, 1], [110, 230], [5, 9]), sample(0.5, [13, 8], [125, 231], [7, 9])], { 0: 0, 1: 0 });
    expect(series).toEqual({
      t: [0, 0.25, 0.5],
      cpus: [0, 1],
      nodes: [0, 0],
      irq: [[3, 0], [1, 7]],
      arch: [[10, 15], [30, 1]],
      softirq: { net_rx: [[0, 2], [4, 0]], timer: [[10, 15], [30, 1]] },
    });
  });

  test('a vector that never fired is left out, and a CPU without a node says -1', () => {
    const series = cpuSeriesOf([sample(0, [0, 0], [1, 1], [0, 0]), sample(1, [0, 0], [2, 2], [0, 0])], { 0: 0 });
    expect(Object.keys(series!.softirq)).toEqual(['timer']);
    expect(series!.nodes).toEqual([0, -1]);
  });

  test('a long repetition is merged to a bounded number of intervals that keep every count', () => {
    const n = 1000;
    const samples = Array.from({ length: n + 1 }, (_, i) => sample(i * 0.01, [i * 2, i], [i * 3, i], [i, 0]));
    const series = cpuSeriesOf(samples, { 0: 0, 1: 0 })!;
    expect(series.irq[0]!.length).toBeLessThanOrEqual(CPU_SERIES_MAX_INTERVALS);
    expect(series.t.length).toBe(series.irq[0]!.length + 1);
    expect(series.irq[0]!.reduce((a, b) => a + b, 0)).toBe(2 * n);
    expect(series.t[series.t.length - 1]).toBe(10);
  });

  test('fewer than two snapshots give no series', () => {
    expect(cpuSeriesOf([sample(0, [0, 0], [0, 0], [0, 0])], {})).toBeNull();
  });
});
