import type { DoubtOn } from '../run/types.js';
import type { Decision, MetricDoubt } from './types.js';

/** `*` stands for any run of characters; everything else is literal. */
function matches(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

/** The doubts on one metric of a scenario, one per kind, summed over the repetitions they hit (in order). */
export function doubtsOn(metric: string, doubts: readonly DoubtOn[]): MetricDoubt[] {
  const byKind = new Map<MetricDoubt['kind'], MetricDoubt>();
  for (const { doubt, metrics } of doubts) {
    if (!metrics.some((p) => matches(p, metric))) continue;
    const seen = byKind.get(doubt.kind);
    const repetitions = [...(seen?.repetitions ?? []), doubt.repetition].filter((r, i, all) => all.indexOf(r) === i);
    switch (doubt.kind) {
      case 'left-cgroup':
        byKind.set('left-cgroup', { kind: 'left-cgroup', repetitions, processes: (seen?.kind === 'left-cgroup' ? seen.processes : 0) + doubt.processes });
        break;
      case 'output-cut': {
        const prev = seen?.kind === 'output-cut' ? seen : { bytes: 0, lines: 0 };
        byKind.set('output-cut', { kind: 'output-cut', repetitions, bytes: prev.bytes + doubt.bytes, lines: prev.lines + doubt.lines });
        break;
      }
      case 'capture-lost':
        byKind.set('capture-lost', { kind: 'capture-lost', repetitions, entries: (seen?.kind === 'capture-lost' ? seen.entries : 0) + doubt.entries });
        break;
    }
  }
  return [...byKind.values()];
}

/**
 * The doubts on one metric of a paired comparison: a round is a pair of samples, so a doubt on
 * either side's sample of it leaves the pair, and the paired test, in doubt.
 */
export function pairedDoubtsOn(metric: string, base: readonly DoubtOn[], head: readonly DoubtOn[]): MetricDoubt[] {
  return [...doubtsOn(metric, base).map((d) => ({ ...d, side: 'base' as const })), ...doubtsOn(metric, head).map((d) => ({ ...d, side: 'head' as const }))];
}

/**
 * A comparison whose current samples are in doubt cannot decide: a full map that dropped
 * entries, output never read, or processes outside the cgroup can each move the metric either
 * way, so a pass is as unfounded as a regression. The numbers stay, the status is inconclusive,
 * and the reasons go with it. Decisions that compared nothing are left as they are.
 */
export function withDoubts(decision: Decision, doubts: readonly MetricDoubt[]): Decision {
  if (doubts.length === 0) return decision;
  if (decision.status === 'no-baseline' || decision.status === 'unavailable') return decision;
  const { change, ci, pValue, adjustedP, mde, subject } = decision;
  return { status: 'inconclusive', neededRepetitions: subject.n[1], why: { kind: 'doubtful', doubts: [...doubts] }, subject, change, ci, pValue, adjustedP, mde };
}
