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

/** Bytes per size unit: binary prefixes as kdelta writes them, decimal ones as tools print them. */
export const SIZE_UNITS: Readonly<Record<string, number>> = {
  B: 1,
  bytes: 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

/** What a unit measures and its factor to that measure's base, as `top / per` (a rate `X/<time>` is X per nanosecond). */
function scaleOf(unit: string): { kind: string; top: number; per: number } | undefined {
  const known = metricUnit(unit);
  if (known) return { kind: known.kind, top: known.toBase, per: 1 };
  if (Object.hasOwn(SIZE_UNITS, unit)) return { kind: 'bytes', top: SIZE_UNITS[unit]!, per: 1 };
  const slash = unit.lastIndexOf('/');
  const per = slash > 0 ? metricUnit(unit.slice(slash + 1)) : undefined;
  if (!per || per.kind !== 'time') return undefined;
  const top = unit.slice(0, slash);
  // A rate of something kdelta does not know (`ops/s`) converts only to a rate of the same thing.
  const of = scaleOf(top) ?? { kind: `"${top}"`, top: 1, per: 1 };
  return { kind: `${of.kind} per time`, top: of.top, per: of.per * per.toBase };
}

/**
 * The factor that turns a value in `from` into the same quantity in `to` (`ms` to `ns`: 1e6;
 * `MiB` to `B`: 1048576; `ops/ms` to `ops/s`: 1000), or undefined when the two measure
 * different things and no conversion is right.
 */
export function unitFactor(from: string, to: string): number | undefined {
  if (from === to) return 1;
  const a = scaleOf(from);
  const b = scaleOf(to);
  if (!a || !b || a.kind !== b.kind) return undefined;
  // Numerators and time denominators apart, so the factors of the table stay exact (1000, not 1000.0000000000001).
  return (a.top / b.top) * (b.per / a.per);
}
