import type { ProcCpuSeries, SchedTimeline } from '../../run/timeline.js';
import type { ScenarioReport } from '../types.js';

/**
 * One side's time and CPU dimension: the run itself, or in an A/B report the base and the
 * head side apart, each with the wall times that pick its typical repetition.
 */
export interface SideView {
  /** `base side` / `head side` in an A/B report; null for a plain run. */
  side: string | null;
  repetitions: number;
  /** workload.wall_time per counted repetition, in order. */
  wall: readonly number[];
  cpuSeries: readonly ProcCpuSeries[];
  timeline: readonly SchedTimeline[];
}

/** The sides a scenario's pictures are drawn for: one, or base and head when the report carries the base side's series. */
export function sidesOf(s: ScenarioReport): SideView[] {
  const wall = s.metrics.find((m) => m.name === 'workload.wall_time');
  const own: SideView = { side: null, repetitions: s.repetitions, wall: wall?.samples ?? [], cpuSeries: s.cpuSeries ?? [], timeline: s.timeline ?? [] };
  const base = s.baseSide;
  if (!base) return [own];
  return [
    { side: 'base side', repetitions: s.repetitions, wall: wall?.baseline?.samples ?? [], cpuSeries: base.cpuSeries ?? [], timeline: base.timeline ?? [] },
    { ...own, side: 'head side' },
  ];
}

/**
 * The counted repetition (1-based) a single-repetition picture shows: the one whose wall
 * time is the median, so the picture is typical rather than the first or the worst.
 */
export function typicalRepetition(wall: readonly number[], available: readonly number[]): number | null {
  if (available.length === 0) return null;
  const ranked = wall
    .map((v, i) => ({ v, rep: i + 1 }))
    .filter((x) => available.includes(x.rep))
    .sort((a, b) => a.v - b.v);
  return ranked[(ranked.length - 1) >> 1]?.rep ?? available[0]!;
}

/** `repetition 3 of 8 (median wall time)`, with the side first in an A/B report. */
export function repetitionText(v: SideView, rep: number): string {
  return `${v.side ? `${v.side}, ` : ''}repetition ${rep} of ${v.repetitions} (median wall time)`;
}

/** Row order for per-CPU maps: by NUMA node, then CPU number, so each node's CPUs are one block. */
export function cpuOrder(cpus: readonly number[], nodes: readonly number[] | undefined): number[] {
  return cpus.map((_, i) => i).sort((a, b) => (nodes?.[a] ?? -1) - (nodes?.[b] ?? -1) || cpus[a]! - cpus[b]!);
}

export function nodeLabel(node: number | undefined): string | undefined {
  return node === undefined ? undefined : node < 0 ? 'node ?' : `node ${node}`;
}

export function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
