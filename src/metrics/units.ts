/*
 * The unit table: every stage that reads, converts or shows a unit reads it here, so a
 * duration in a scenario file, a limit and a metric value agree on what `us` means.
 * Adding a unit is one row.
 */

/** Nanoseconds per time unit. Minutes are for durations in scenario files; no metric is measured in them. */
export const TIME_UNITS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
};

/** What a metric's unit measures. */
export type UnitKind = 'time' | 'bytes' | 'count' | 'ratio' | 'percent';

/** A metric unit: its kind and the factor to the kind's base unit (ns for time, bytes for sizes, 1 otherwise). */
export interface UnitInfo {
  kind: UnitKind;
  toBase: number;
}

const METRIC_UNITS: Readonly<Record<string, UnitInfo>> = {
  ns: { kind: 'time', toBase: TIME_UNITS['ns']! },
  us: { kind: 'time', toBase: TIME_UNITS['us']! },
  µs: { kind: 'time', toBase: TIME_UNITS['µs']! },
  ms: { kind: 'time', toBase: TIME_UNITS['ms']! },
  s: { kind: 'time', toBase: TIME_UNITS['s']! },
  B: { kind: 'bytes', toBase: 1 },
  bytes: { kind: 'bytes', toBase: 1 },
  '1': { kind: 'count', toBase: 1 },
  count: { kind: 'count', toBase: 1 },
  ratio: { kind: 'ratio', toBase: 1 },
  '%': { kind: 'percent', toBase: 1 },
};

/** The unit as a metric declares it, or undefined for a unit kdelta does not know (a workload's own `1/s`). */
export function metricUnit(unit: string): UnitInfo | undefined {
  return Object.hasOwn(METRIC_UNITS, unit) ? METRIC_UNITS[unit] : undefined;
}
