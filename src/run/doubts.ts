import type { DoubtOn, WorkloadOutcome } from './types.js';

/**
 * A capture's loss message as a doubt on the metrics its map feeds, when it counts what it
 * dropped: the libbpf capture's full maps (`ready-delay map full: N episodes dropped`,
 * `thread-group map full: N updates dropped`), bpftrace's lost events and failed map updates.
 * The timeline map feeds no metric; a capture that did not run at all has no samples to doubt.
 */
export function captureDoubt(repetition: number, what: string, provides: readonly string[]): DoubtOn | null {
  const n = /(\d+) (?:episodes|updates|entries) dropped/.exec(what) ?? /lost (\d+) events/.exec(what) ?? / x(\d+) \(map full/.exec(what);
  if (!n || what.startsWith('timeline ')) return null;
  // The ready-delay slots are shared by the workload and its service's side.
  const metrics = what.startsWith('ready-delay map') ? ['sched.ready_delay.*', 'service.sched.ready_delay.*'] : what.startsWith('thread-group map') ? ['thread.*'] : [...provides];
  return { doubt: { kind: 'capture-lost', repetition, entries: Number(n[1]), what }, metrics };
}

/** The workload's own doubts: processes that left the repetition's cgroup (every metric), stdout cut (its stdout figures). */
export function workloadDoubts(repetition: number, outcome: Extract<WorkloadOutcome, { state: 'ok' }>, stdoutMetrics: readonly string[]): DoubtOn[] {
  const out: DoubtOn[] = [];
  if (outcome.leftCgroup) out.push({ doubt: { kind: 'left-cgroup', repetition, processes: outcome.leftCgroup }, metrics: ['*'] });
  if (outcome.cut && stdoutMetrics.length > 0) out.push({ doubt: { kind: 'output-cut', repetition, ...outcome.cut }, metrics: [...stdoutMetrics] });
  return out;
}

/** The line the run prints for a doubt as it happens (the verdicts carry it into the reports). */
export function doubtWarning(scenario: string, d: DoubtOn): string {
  const { doubt } = d;
  switch (doubt.kind) {
    case 'left-cgroup':
      return `${scenario}: repetition ${doubt.repetition}: ${doubt.processes} workload process(es) left its cgroup and were killed; the verdicts are inconclusive`;
    case 'output-cut':
      return `${scenario}: repetition ${doubt.repetition}: stdout was cut (${doubt.bytes} bytes, ${doubt.lines} lines not read); verdicts on ${d.metrics.join(', ')} are inconclusive`;
    case 'capture-lost':
      return `${scenario}: repetition ${doubt.repetition}: the capture lost ${doubt.entries} entries (${doubt.what}); verdicts on ${d.metrics.join(', ')} are inconclusive`;
  }
}
