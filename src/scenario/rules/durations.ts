import { BOUNDS, describeMs } from '../bounds.js';
import { pathName } from '../problem.js';
import { parseDurationMs } from '../units.js';
import { DURATION_FIELDS, type DurationField, type Rule } from './context.js';

const MINIMUM_MS: Partial<Record<DurationField, number>> = { procInterval: BOUNDS.procIntervalMinMs, slowCallOver: BOUNDS.slowCallOverMinMs };

/**
 * Every duration is parsed here, once, and kept for normalizing. Each is waited on by a Node
 * timer, so it must be longer than 0 and fit the timer's 32 bits; the /proc interval has a floor.
 */
export const durations: Rule = {
  name: 'durations',
  check(ctx) {
    for (const [field, path] of Object.entries(DURATION_FIELDS) as Array<[DurationField, readonly string[]]>) {
      const text = ctx.get(path);
      if (typeof text !== 'string') continue;
      const parsed = parseDurationMs(text);
      // The schema's pattern reports a malformed duration; only well-formed ones are judged here.
      if (!parsed.ok) continue;
      const ms = parsed.value;
      const min = MINIMUM_MS[field];
      if (ms <= 0) ctx.report(path, 'value', `${pathName(path)} must be longer than 0, not "${text}"`);
      else if (min !== undefined && ms < min) ctx.report(path, 'value', `${pathName(path)} must be at least ${min}ms, not "${text}"`);
      else if (ms > BOUNDS.durationMaxMs) {
        ctx.report(path, 'value', `${pathName(path)} must be at most ${describeMs(BOUNDS.durationMaxMs)}, the longest a timer can wait, not "${text}"`);
      } else ctx.values.durationsMs[field] = ms;
    }
  },
};
