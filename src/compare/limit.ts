import type { Comparison, LimitSpec } from '../scenario/types.js';
import type { Verdict } from './types.js';
import { median } from './stats/effect.js';
import { formatValue } from './format.js';

/** The operator table: adding `==` would be one row. `worst` picks the repetition that decides an `each` limit. */
const OPERATORS: Readonly<Record<Comparison, { holds: (v: number, l: number) => boolean; worst: (vs: number[]) => number }>> = {
  '<': { holds: (v, l) => v < l, worst: (vs) => Math.max(...vs) },
  '<=': { holds: (v, l) => v <= l, worst: (vs) => Math.max(...vs) },
  '>': { holds: (v, l) => v > l, worst: (vs) => Math.min(...vs) },
  '>=': { holds: (v, l) => v >= l, worst: (vs) => Math.min(...vs) },
};

/**
 * Checks an absolute limit on the median of the repetitions, or with `each` on every
 * repetition (then the worst one is reported). A limit that holds is a `pass` with change 0,
 * ci [0, 0], p-values 1 and mde 0: a limit is not a statistical comparison, and reusing the
 * pass shape keeps the Verdict union (and the report schema) unchanged; the message carries
 * the value. No samples at all: `unavailable`.
 */
export function checkLimit(limit: LimitSpec, samples: readonly number[], unit = ''): Verdict {
  if (samples.length === 0) {
    return { status: 'unavailable', message: `${limit.text}: ${limit.metric} has no samples in this run` };
  }
  const op = OPERATORS[limit.op];
  const value = limit.each ? op.worst([...samples]) : median(samples);
  const what = limit.each ? `worst repetition of ${samples.length}` : `median of ${samples.length}`;
  const shown = `${formatValue(value, unit)} (${what})`;
  if (!op.holds(value, limit.value)) {
    return { status: 'limit-exceeded', value, limit: limit.text, message: `${limit.text} broken: ${limit.metric} ${shown}` };
  }
  return { status: 'pass', change: 0, ci: [0, 0], pValue: 1, adjustedP: 1, mde: 0, message: `${limit.text} holds: ${limit.metric} ${shown}` };
}
