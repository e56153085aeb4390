import { CPU_SERIES_MAX_INTERVALS, type ProcCpuSeries } from '../../run/timeline.js';
import { diffInterrupts } from './interrupts.js';
import type { SystemSample } from './snapshot.js';
import { diffSoftirqs } from './softirqs.js';

type Grid = Map<number, number[]>;

function add(grid: Grid, cpu: number, interval: number, n: number, length: number): void {
  let row = grid.get(cpu);
  if (!row) grid.set(cpu, (row = new Array<number>(length).fill(0)));
  row[interval] = (row[interval] ?? 0) + n;
}

/** Sums runs of `factor` adjacent entries, so a long repetition keeps a bounded number of columns. */
function merge(row: number[], factor: number): number[] {
  if (factor <= 1) return row;
  const out: number[] = [];
  for (let i = 0; i < row.length; i += factor) out.push(row.slice(i, i + factor).reduce((a, b) => a + b, 0));
  return out;
}

/**
 * The per-CPU interrupt and softirq counts of one repetition, interval by interval, for the
 * heat maps (`repetition` is filled in by the runner, which knows the counted index). Only
 * intervals where both snapshots of a file were read count; an interval a file could not be
 * read in stays 0, which the capture's `lost` list already reports.
 */
export function cpuSeriesOf(samples: readonly SystemSample[], cpuNode: Record<number, number>): Omit<ProcCpuSeries, 'repetition'> | null {
  const intervals = samples.length - 1;
  if (intervals < 1) return null;
  const irq: Grid = new Map();
  const arch: Grid = new Map();
  const soft = new Map<string, Grid>();
  const cpus = new Set<number>();
  for (let i = 0; i < intervals; i++) {
    const a = samples[i]!;
    const b = samples[i + 1]!;
    if (a.interrupts && b.interrupts) {
      const d = diffInterrupts(a.interrupts, b.interrupts);
      for (const cpu of d.cpus) cpus.add(cpu);
      for (const { row, perCpu } of d.rows) {
        perCpu.forEach((n, k) => add(row.kind === 'arch' ? arch : irq, d.cpus[k]!, i, n, intervals));
      }
    }
    if (a.softirqs && b.softirqs) {
      const d = diffSoftirqs(a.softirqs, b.softirqs);
      for (const cpu of d.cpus) cpus.add(cpu);
      for (const { row, perCpu } of d.rows) {
        const v = row.vector.toLowerCase();
        let grid = soft.get(v);
        if (!grid) soft.set(v, (grid = new Map()));
        perCpu.forEach((n, k) => add(grid, d.cpus[k]!, i, n, intervals));
      }
    }
  }
  if (cpus.size === 0) return null;
  const factor = Math.ceil(intervals / CPU_SERIES_MAX_INTERVALS);
  const order = [...cpus].sort((x, y) => x - y);
  const rows = (grid: Grid) => order.map((cpu) => merge(grid.get(cpu) ?? new Array<number>(intervals).fill(0), factor));
  const t: number[] = [];
  for (let i = 0; i < intervals; i += factor) t.push(round3(samples[i]!.t));
  t.push(round3(samples[intervals]!.t));
  const softirq: Record<string, number[][]> = {};
  for (const [v, grid] of [...soft].sort((x, y) => x[0].localeCompare(y[0]))) {
    const r = rows(grid);
    if (r.some((row) => row.some((n) => n > 0))) softirq[v] = r;
  }
  return { t, cpus: order, nodes: order.map((cpu) => cpuNode[cpu] ?? -1), irq: rows(irq), arch: rows(arch), softirq };
}

/** Milliseconds are all a picture needs, and they keep report.json short. */
function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
