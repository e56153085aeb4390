import { describe, expect, test } from 'vitest';
import type { Decision, Subject } from '../../src/compare/types.js';
import { verdictOf } from '../../src/report/verdicts.js';

// How a paired (kdelta ab) decision is worded: rounds, the sequential design, "head vs base".

const subject = (equivalent: boolean): Subject => ({
  label: 'workload.wall_time',
  unit: 'ns',
  better: 'lower',
  tolerance: 0.05,
  alpha: 0.05,
  baselineMedian: 1e9,
  currentMedian: 1.01e9,
  n: [9, 9],
  family: { size: 2, correction: 'holm' },
  paired: { rounds: 9, design: { min: 5, max: 30 }, equivalent },
});
const tested = { change: 0.01, ci: [-0.02, 0.07] as [number, number], pValue: 0.2, adjustedP: 0.4, mde: 0.06 };

describe('paired verdict messages', () => {
  test('an undecided paired metric says the sequential interval spans both, and how many rounds would decide', () => {
    const d: Decision = { status: 'inconclusive', neededRepetitions: 24, why: { kind: 'ci-spans' }, subject: subject(false), ...tested };
    expect(verdictOf(d).message).toBe(
      'workload.wall_time +1.0% [-2.0%, +7.0%] head vs base over 9 rounds, tolerance +5%, p=0.4 (paired, sequential 5-30 rounds, holm over 2): ' +
        'inconclusive: the sequential interval spans both 0 and the tolerance, minimum detectable effect 6.0%; about 24 rounds needed',
    );
  });

  test('a pass whose interval lies inside the tolerance says so', () => {
    const d: Decision = { status: 'pass', significant: false, downgraded: null, subject: subject(true), ...tested, ci: [-0.01, 0.03] };
    expect(verdictOf(d).message).toMatch(/: pass \(interval inside the tolerance\)$/);
  });
});
