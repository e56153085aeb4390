import type { Rule } from './context.js';

/** `rounds.min` above `rounds.max` leaves no round count to stop at; the schema checks each alone. */
export const roundsOrder: Rule = {
  name: 'rounds-order',
  check(ctx) {
    const min = ctx.get(['rounds', 'min']);
    const max = ctx.get(['rounds', 'max']);
    if (typeof min === 'number' && typeof max === 'number' && min > max) {
      ctx.report(['rounds', 'max'], 'value', `rounds.max ${max} is below rounds.min ${min}; write max >= min (e.g. min: ${min}, max: ${Math.max(min, 30)})`);
    }
  },
};
