import type { ScenarioReport } from '../types.js';

/**
 * The counted repetition (1-based) a single-repetition picture shows: the one whose wall
 * time is the median, so the picture is typical rather than the first or the worst.
 */
export function typicalRepetition(s: ScenarioReport, available: readonly number[]): number | null {
  if (available.length === 0) return null;
  const wall = s.metrics.find((m) => m.name === 'workload.wall_time')?.samples ?? [];
  const ranked = wall
    .map((v, i) => ({ v, rep: i + 1 }))
    .filter((x) => available.includes(x.rep))
    .sort((a, b) => a.v - b.v);
  return ranked[(ranked.length - 1) >> 1]?.rep ?? available[0]!;
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
