import { TIME_UNITS } from '../metrics/units.js';
import type { Comparison, LimitSpec } from './types.js';

/** Nanoseconds per unit: the metrics' table, so durations, limits and metric values agree on what `us` means. */
export const UNIT_NS: Readonly<Record<string, number>> = TIME_UNITS;

export const DURATION_HINT = 'use a number with ns, us, ms, s or m, e.g. 250ms';
export const PERCENT_HINT = 'use a number with %, e.g. 5%';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

// The same shape as DURATION_PATTERN in schema.ts: no space, so `2 s` fails in the schema and here alike.
const NUMBER_WITH_UNIT = /^([0-9]+(?:\.[0-9]+)?)([^\s0-9.]*)$/u;

/** `250ms` -> 250 000 000. Used for durations in scenario files and time values in limits. */
export function parseDurationNs(text: string): Parsed<number> {
  const m = NUMBER_WITH_UNIT.exec(text);
  const factor = m?.[2] ? UNIT_NS[m[2]] : undefined;
  if (!m?.[1] || factor === undefined) return { ok: false, error: `bad duration "${text}": ${DURATION_HINT}` };
  return { ok: true, value: Number(m[1]) * factor };
}

/** `250ms` -> 250, `500us` -> 0.5: the unit of the Scenario type's `*Ms` fields. */
export function parseDurationMs(text: string): Parsed<number> {
  const ns = parseDurationNs(text);
  return ns.ok ? { ok: true, value: ns.value / 1e6 } : ns;
}

/** `5%` -> 0.05. */
export function parsePercentFraction(text: string): Parsed<number> {
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*%$/u.exec(text.trim());
  if (!m?.[1]) return { ok: false, error: `bad percentage "${text}": ${PERCENT_HINT}` };
  return { ok: true, value: Number(m[1]) / 100 };
}

/** The kind of quantity a unit measures, so a limit in `ms` can be checked against a metric in `ns`. */
export type UnitClass = 'time' | 'ratio' | 'other';

export function unitClass(unit: string): UnitClass {
  if (unit in UNIT_NS) return 'time';
  if (unit === 'ratio' || unit === '%') return 'ratio';
  return 'other';
}

/**
 * The base unit of a metric as the collectors emit it (times in ns, PSI in us, counts as 1), or null when
 * the name alone does not say (workload figures, unknown names). Used only to check and scale
 * limits, so an unknown name is never an error here.
 */
export function baseUnitOfMetric(metric: string): string | null {
  if (metric === 'workload.wall_time') return 'ns';
  const parts = metric.split('.');
  const area = parts[0];
  const last = parts[parts.length - 1] ?? '';
  const isTime = last === 'time' || last === 'time_in_workload';
  if (area === 'sched') {
    if (parts[1] === 'ready_delay' || parts[1] === 'run_delay') return last === 'count' ? '1' : 'ns';
    if (parts[1] === 'context_switches') return '1';
    // PSI counts stalled time in microseconds, and the collectors keep the kernel's unit.
    if (parts[1] === 'cgroup_pressure') return 'us';
    if (parts[1] === 'cpu_time' || parts[1] === 'throttled_time') return 'ns';
    return null;
  }
  if (area === 'syscall') return last === 'count' ? '1' : 'ns';
  if (area === 'irq' || area === 'softirq') {
    if (isTime) return 'ns';
    if (last === 'count') return '1';
    if (last === 'share' || last === 'imbalance') return 'ratio';
    return null;
  }
  if (metric === 'system.psi.cpu_some') return 'us';
  if (metric === 'system.irq_time' || metric === 'system.softirq_time') return 'ns';
  if (area === 'system') return '1';
  return null;
}

/**
 * Converts `value` written in `fromUnit` (a limit's unit, '' for none) into `toUnit` (the
 * metric's base unit, or null when unknown). Time converts between time units through UNIT_NS;
 * `%` converts to a fraction; a bare number is taken as already in the metric's unit.
 */
function convertLimitValue(value: number, fromUnit: string, toUnit: string | null): Parsed<number> {
  if (fromUnit === '') {
    if (toUnit !== null && unitClass(toUnit) === 'time') {
      return { ok: false, error: `needs a time unit (ns, us, ms, s): the metric is measured in ${toUnit}` };
    }
    return { ok: true, value };
  }
  if (fromUnit === '%') {
    if (toUnit !== null && unitClass(toUnit) !== 'ratio') {
      return { ok: false, error: `a percentage cannot be compared with a metric measured in ${toUnit}` };
    }
    return { ok: true, value: value / 100 };
  }
  const fromFactor = UNIT_NS[fromUnit];
  if (fromFactor === undefined) return { ok: false, error: `unknown unit "${fromUnit}": use ns, us, ms, s, % or none` };
  const target = toUnit ?? 'ns';
  const toFactor = UNIT_NS[target];
  if (toFactor === undefined) {
    return { ok: false, error: `a time cannot be compared with a metric measured in ${target}` };
  }
  return { ok: true, value: (value * fromFactor) / toFactor };
}

const LIMIT = /^\s*(\S+)\s*(<=|>=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(\S*)\s*$/u;

/**
 * `sched.ready_delay.p99 < 2ms` -> { metric, op: '<', value: 2e6 }. `unitOf` gives a metric's
 * base unit where the caller knows better than the name (workload figures declare their own);
 * by default baseUnitOfMetric decides. Times without a known unit are taken as ns.
 */
export function parseLimit(
  text: string,
  each: boolean,
  unitOf: (metric: string) => string | null = baseUnitOfMetric,
): Parsed<LimitSpec> {
  const m = LIMIT.exec(text);
  if (!m) {
    return {
      ok: false,
      error: `bad limit "${text}": write <metric> <op> <value><unit>, e.g. "sched.ready_delay.p99 < 2ms" (op: <, <=, >, >=)`,
    };
  }
  const [, metric = '', op = '', num = '', unit = ''] = m;
  const converted = convertLimitValue(Number(num), unit, unitOf(metric));
  if (!converted.ok) return { ok: false, error: `bad limit "${text}": ${converted.error}` };
  return { ok: true, value: { text: text.trim(), metric, op: op as Comparison, value: converted.value, each } };
}

/** Whether a metric value satisfies a limit (for the compare stage and tests). */
export const COMPARE: Readonly<Record<Comparison, (value: number, limit: number) => boolean>> = {
  '<': (v, l) => v < l,
  '<=': (v, l) => v <= l,
  '>': (v, l) => v > l,
  '>=': (v, l) => v >= l,
};
