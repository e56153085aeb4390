import { metricPatternProblem } from '../metric-names.js';
import { isRecord } from '../problem.js';
import { parseLimit, parsePercentFraction } from '../units.js';
import type { Rule } from './context.js';

/** Tolerances are parsed once here and kept for normalizing; the schema checks their shape. */
export const tolerances: Rule = {
  name: 'tolerances',
  check(ctx) {
    const read = (v: unknown): number | undefined => {
      if (typeof v !== 'string') return undefined;
      const parsed = parsePercentFraction(v);
      return parsed.ok ? parsed.value : undefined;
    };
    ctx.values.tolerance = read(ctx.get(['gate', 'tolerance']));
    for (const [pattern, spec] of Object.entries(ctx.record(['gate', 'metrics']) ?? {})) {
      const fraction = isRecord(spec) ? read(spec.tolerance) : undefined;
      if (fraction !== undefined) ctx.values.metricTolerances.set(pattern, fraction);
    }
  },
};

/** A gated name or pattern must name a metric area kdelta has, or it would gate nothing, silently. */
export const gatePatterns: Rule = {
  name: 'gate-patterns',
  check(ctx) {
    for (const pattern of Object.keys(ctx.record(['gate', 'metrics']) ?? {})) {
      const problem = metricPatternProblem(pattern);
      if (problem) ctx.report(['gate', 'metrics', pattern], 'key', problem);
    }
  },
};

/**
 * Limits parse against the metric's unit (a workload figure's declared one, else the unit
 * its name implies): a bad operator, an unknown unit or a time against a count is refused.
 * The parsed limits are kept for normalizing.
 */
export const limits: Rule = {
  name: 'limits',
  check(ctx) {
    ctx.list(['gate', 'limits']).forEach((item, i) => {
      const each = isRecord(item);
      const text = each ? item.each : item;
      if (typeof text !== 'string') return;
      const at = each ? ['gate', 'limits', String(i), 'each'] : ['gate', 'limits', String(i)];
      const parsed = parseLimit(text, each, (metric) => ctx.unitOf(metric));
      if (!parsed.ok) {
        ctx.report(at, 'value', parsed.error);
        return;
      }
      const problem = metricPatternProblem(parsed.value.metric);
      if (problem) ctx.report(at, 'value', `bad limit "${text}": ${problem}`);
      else ctx.values.limits.push(parsed.value);
    });
  },
};
