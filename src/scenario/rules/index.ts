import type { Finding } from '../problem.js';
import { requiredCollectorsOn, syscallNames } from './collect.js';
import { RuleContext, type ParsedValues, type Rule, type RuleOptions } from './context.js';
import { durations } from './durations.js';
import { roundsOrder } from './rounds.js';
import { cwdInsideRepository } from './paths.js';
import { gatePatterns, limits, tolerances } from './gate.js';
import { windowProbes } from './window.js';
import { commandOnlyKeys, metricRegexes, serviceReady, uniqueWorkloadMetrics } from './workload.js';

export type { ParsedValues, RuleOptions } from './context.js';

/**
 * The checks a schema cannot express, in the order they run. Every check a run would trip
 * over belongs here, so `kdelta validate` and `kdelta run` reach one verdict on a file.
 */
export const RULES: readonly Rule[] = [
  commandOnlyKeys,
  durations,
  uniqueWorkloadMetrics,
  metricRegexes,
  serviceReady,
  requiredCollectorsOn,
  syscallNames,
  windowProbes,
  tolerances,
  gatePatterns,
  limits,
  roundsOrder,
  cwdInsideRepository,
];

export function runRules(raw: Record<string, unknown>, options: RuleOptions): { findings: Finding[]; values: ParsedValues } {
  const ctx = new RuleContext(raw, options);
  for (const rule of RULES) rule.check(ctx);
  return { findings: ctx.findings, values: ctx.values };
}
