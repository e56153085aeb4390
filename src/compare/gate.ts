import { metricPatternRegExp } from '../scenario/metric-names.js';
import type { GateMetricSpec, GateSpec } from '../scenario/types.js';

/**
 * Which of `names` are gated, with their settings. Precedence, so a scenario can gate a
 * family loosely and one member strictly:
 *  1. an exact name in `gate.metrics` wins over every pattern;
 *  2. among matching `*` patterns, the most specific wins: the one with the most characters
 *     other than `*` (`sched.ready_delay.p9*` beats `sched.*`);
 *  3. between equally specific patterns, the one written first in the scenario.
 * Names that nothing matches are not gated (reported, never failing the build). The map
 * keeps the order of `names`.
 */
export function gatedMetrics(gate: GateSpec, names: readonly string[]): Map<string, GateMetricSpec> {
  const patterns = Object.entries(gate.metrics)
    .filter(([key]) => key.includes('*'))
    .map(([key, spec], order) => ({ re: metricPatternRegExp(key), literal: key.replace(/\*/gu, '').length, order, spec }))
    .sort((a, b) => b.literal - a.literal || a.order - b.order);
  const out = new Map<string, GateMetricSpec>();
  for (const name of names) {
    const exact = Object.hasOwn(gate.metrics, name) ? gate.metrics[name] : undefined;
    const spec = exact ?? patterns.find((p) => p.re.test(name))?.spec;
    if (spec) out.set(name, spec);
  }
  return out;
}
