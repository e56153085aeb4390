import type { Comparison, LimitSpec } from '../scenario/types.js';
import type { LimitDecision } from './types.js';
import { COMPARE } from '../scenario/units.js';
import { median } from './stats/effect.js';

/** The operators (their test is the scenario's own, so a limit reads the same in validate and compare). `worst` picks the repetition that decides an `each` limit. */
const OPERATORS: Readonly<Record<Comparison, { holds: (v: number, l: number) => boolean; worst: (vs: number[]) => number }>> = {
  '<': { holds: COMPARE['<'], worst: (vs) => Math.max(...vs) },
  '<=': { holds: COMPARE['<='], worst: (vs) => Math.max(...vs) },
  '>': { holds: COMPARE['>'], worst: (vs) => Math.min(...vs) },
  '>=': { holds: COMPARE['>='], worst: (vs) => Math.min(...vs) },
};

/**
 * Checks an absolute limit on the median of the repetitions, or with `each` on every
 * repetition (then the worst one decides and is returned). No samples at all: `unavailable`.
 */
export function checkLimit(limit: LimitSpec, samples: readonly number[], unit = ''): LimitDecision {
  if (samples.length === 0) return { status: 'unavailable', limit };
  const op = OPERATORS[limit.op];
  const value = limit.each ? op.worst([...samples]) : median(samples);
  return { status: op.holds(value, limit.value) ? 'pass' : 'limit-exceeded', limit, value, unit, samples: samples.length };
}
