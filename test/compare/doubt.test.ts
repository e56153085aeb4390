import { describe, expect, it } from 'vitest';
import { doubtsOn, withDoubts } from '../../src/compare/doubt.js';
import type { Decision, Subject } from '../../src/compare/types.js';
import { verdictOf } from '../../src/report/verdicts.js';
import type { DoubtOn } from '../../src/run/types.js';

const subject: Subject = {
  label: 'sched.ready_delay.count',
  unit: 'count',
  better: 'lower',
  tolerance: 0.05,
  alpha: 0.05,
  baselineMedian: 17_869,
  currentMedian: 5_499,
  n: [5, 5],
  family: { size: 1, correction: 'holm' },
};
const tested = { change: -0.69, ci: [-0.7, -0.68] as [number, number], pValue: 0.008, adjustedP: 0.008, mde: 0.02 };
const improvement: Decision = { status: 'improvement', significant: true, downgraded: null, subject, ...tested };

const fullMap: DoubtOn[] = [
  { doubt: { kind: 'capture-lost', repetition: 2, entries: 7_000, what: 'ready-delay map full: 7000 episodes dropped' }, metrics: ['sched.ready_delay.*'] },
  { doubt: { kind: 'capture-lost', repetition: 4, entries: 5_370, what: 'ready-delay map full: 5370 episodes dropped' }, metrics: ['sched.ready_delay.*'] },
];

describe('a metric whose samples are in doubt', () => {
  it('sums a full map over the repetitions it hit, for the metrics that map feeds only', () => {
    expect(doubtsOn('sched.ready_delay.count', fullMap)).toEqual([{ kind: 'capture-lost', repetitions: [2, 4], entries: 12_370 }]);
    expect(doubtsOn('sched.ready_delay.thread.worker.total', fullMap)).toHaveLength(1);
    expect(doubtsOn('workload.wall_time', fullMap)).toEqual([]);
    expect(doubtsOn('sched.ready_delayXcount', fullMap)).toEqual([]);
  });

  it('turns a significant improvement read off a full map into inconclusive, keeping the numbers and the reason', () => {
    const d = withDoubts(improvement, doubtsOn('sched.ready_delay.count', fullMap));
    expect(d).toMatchObject({ status: 'inconclusive', why: { kind: 'doubtful', doubts: [{ kind: 'capture-lost', entries: 12_370 }] }, change: -0.69, pValue: 0.008 });
    const v = verdictOf(d);
    expect(v.status).toBe('inconclusive');
    expect(v.message).toContain('inconclusive: capture lost 12370 entries (repetitions 2, 4)');
    expect(v.message).toContain('run it again');
  });

  it('leaves a decision without doubts, and one that compared nothing, as it was', () => {
    expect(withDoubts(improvement, [])).toBe(improvement);
    const none: Decision = { status: 'no-baseline', label: 'x', emptyBaseline: false };
    expect(withDoubts(none, doubtsOn('sched.ready_delay.count', fullMap))).toBe(none);
  });

  it('words a workload that left its cgroup and stdout that was cut', () => {
    const doubts: DoubtOn[] = [
      { doubt: { kind: 'left-cgroup', repetition: 1, processes: 1 }, metrics: ['*'] },
      { doubt: { kind: 'output-cut', repetition: 3, bytes: 1_000_000, lines: 28_278 }, metrics: ['workload.ops'] },
    ];
    const v = verdictOf(withDoubts({ ...improvement, subject: { ...subject, label: 'workload.ops' } }, doubtsOn('workload.ops', doubts)));
    expect(v.message).toContain('the workload left its cgroup (1 process outside it, killed; repetition 1)');
    expect(v.message).toContain('stdout was cut: 1000000 bytes (28278 lines) between the kept head and tail were not read (repetition 3)');
    expect(doubtsOn('workload.wall_time', doubts).map((d) => d.kind)).toEqual(['left-cgroup']);
  });
});
