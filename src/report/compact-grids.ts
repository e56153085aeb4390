import type { ProcCpuSeries, SchedTimeline } from '../run/timeline.js';

/*
 * The per-CPU series and the timeline as report.json stores them. Most of their cells are
 * zero (a thread group runs on one CPU at a time, most softirq vectors are idle), so each
 * row is run-length coded for zeros: a negative entry -k stands for k zeros. Real cells are
 * counts or nanoseconds, never negative, so the coding is unambiguous, and a row without
 * negative entries reads as it always did. On-CPU time is stored in whole microseconds
 * (`onCpuUs`): a slot is at least a millisecond, so that is within 0.05% of the slot.
 */

/**
 * One row with its runs of two or more zeros as negative counts. A cell that is itself
 * negative or not finite (a bug upstream) is written as null, so the report's schema check
 * refuses it instead of reading it back as zeros.
 */
export function foldZeros(row: readonly number[]): number[] {
  const out: number[] = [];
  let zeros = 0;
  const flush = (): void => {
    if (zeros === 1) out.push(0);
    else if (zeros > 1) out.push(-zeros);
    zeros = 0;
  };
  for (const v of row) {
    if (v === 0) zeros++;
    else {
      flush();
      out.push(v > 0 && Number.isFinite(v) ? v : (null as unknown as number));
    }
  }
  flush();
  return out;
}

/** A row back from its stored form (any row kdelta wrote, coded or not). */
export function unfoldZeros(row: readonly number[]): number[] {
  const out: number[] = [];
  for (const v of row) {
    if (v < 0) for (let i = 0; i < -v; i++) out.push(0);
    else out.push(v);
  }
  return out;
}

type Rows = (row: readonly number[]) => number[];

const grid = (g: readonly (readonly number[])[], f: Rows): number[][] => g.map(f);

function mapSoftirq(s: Record<string, number[][]>, f: Rows): Record<string, number[][]> {
  return Object.fromEntries(Object.entries(s).map(([k, g]) => [k, grid(g, f)]));
}

function mapCpuSeries(series: ProcCpuSeries[], f: Rows): ProcCpuSeries[] {
  return series.map((s) => ({ ...s, irq: grid(s.irq, f), arch: grid(s.arch, f), softirq: mapSoftirq(s.softirq, f) }));
}

type Group = SchedTimeline['groups'][number];
type StoredGroup = Omit<Group, 'onCpuNs'> & { onCpuNs?: number[][]; onCpuUs?: number[][] };

const toUs = (row: readonly number[]): number[] => row.map((v) => Math.round(v / 1000));
const toNs = (row: readonly number[]): number[] => row.map((v) => v * 1000);

function foldGroup(g: Group): StoredGroup {
  const { onCpuNs, ...rest } = g;
  return { name: rest.name, onCpuUs: onCpuNs.map((r) => foldZeros(toUs(r))), switches: grid(rest.switches, foldZeros) };
}

/** A group as any kdelta wrote it: on-CPU time in µs (now) or ns (before). */
function unfoldGroup(g: StoredGroup): Group {
  const onCpuNs = g.onCpuUs ? g.onCpuUs.map((r) => toNs(unfoldZeros(r))) : grid(g.onCpuNs ?? [], unfoldZeros);
  return { name: g.name, onCpuNs, switches: grid(g.switches, unfoldZeros) };
}

function mapTimeline(timeline: SchedTimeline[], f: Rows): SchedTimeline[] {
  const fold = f === foldZeros;
  return timeline.map((t) => ({
    ...t,
    groups: t.groups.map((g) => (fold ? foldGroup(g) : unfoldGroup(g as StoredGroup))) as Group[],
    readyDelayNs: f(t.readyDelayNs),
  }));
}

interface Series {
  cpuSeries?: ProcCpuSeries[];
  timeline?: SchedTimeline[];
}

function mapSeries<S extends Series>(s: S, f: Rows): S {
  return {
    ...s,
    ...(s.cpuSeries && { cpuSeries: mapCpuSeries(s.cpuSeries, f) }),
    ...(s.timeline && { timeline: mapTimeline(s.timeline, f) }),
  };
}

/** A scenario's series (and an A/B report's base side's) in their stored form, or back. */
export function mapScenarioSeries<S extends Series & { baseSide?: Series }>(s: S, direction: 'fold' | 'unfold'): S {
  const f = direction === 'fold' ? foldZeros : unfoldZeros;
  const mapped = mapSeries(s, f);
  return s.baseSide ? { ...mapped, baseSide: mapSeries(s.baseSide, f) } : mapped;
}
