/*
 * Numbers for people: the units table every report format shares. Adding a unit is one
 * row, so no format can show a unit another does not know.
 */

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const GROUPED_2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

type Scale = Array<[suffix: string, factor: number]>;

const TIME_NS: Scale = [
  ['ns', 1],
  ['µs', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
];
const BYTES: Scale = [
  ['B', 1],
  ['KiB', 1024],
  ['MiB', 1024 ** 2],
  ['GiB', 1024 ** 3],
  ['TiB', 1024 ** 4],
];

/** Unit as written in a metric -> how to show it. Times are converted to ns first. */
const UNITS: Record<string, { scale: Scale; toBase: number } | 'count' | 'ratio' | 'percent'> = {
  ns: { scale: TIME_NS, toBase: 1 },
  us: { scale: TIME_NS, toBase: 1e3 },
  µs: { scale: TIME_NS, toBase: 1e3 },
  ms: { scale: TIME_NS, toBase: 1e6 },
  s: { scale: TIME_NS, toBase: 1e9 },
  B: { scale: BYTES, toBase: 1 },
  bytes: { scale: BYTES, toBase: 1 },
  '1': 'count',
  count: 'count',
  ratio: 'ratio',
  '%': 'percent',
};

function scaled(value: number, scale: Scale): string {
  const abs = Math.abs(value);
  let i = 0;
  while (i + 1 < scale.length && abs >= scale[i + 1]![1]) i++;
  let shown = value / scale[i]![1];
  // 999.7 ns would round to "1000 ns": show it as 1.00 µs instead.
  if (Math.abs(Number(shown.toPrecision(3))) >= 1000 && i + 1 < scale.length) {
    i++;
    shown = value / scale[i]![1];
  }
  const suffix = scale[i]![0];
  if (i === 0 && Number.isInteger(value)) return `${GROUPED.format(value)} ${suffix}`;
  const a = Math.abs(shown);
  return `${shown.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2)} ${suffix}`;
}

function count(value: number): string {
  return Math.abs(value) >= 100 ? GROUPED.format(value) : GROUPED_2.format(value);
}

/** A value in its metric's unit for people: `1.23 ms`, `12,345`, `12.5%`; `n/a` when not a number. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const kind = UNITS[unit];
  if (kind === undefined) return `${count(value)} ${unit}`;
  if (kind === 'count') return count(value);
  if (kind === 'ratio') return `${Number((value * 100).toPrecision(3))}%`;
  if (kind === 'percent') return `${Number(value.toPrecision(3))}%`;
  return scaled(value * kind.toBase, kind.scale);
}

/** A relative change as a signed percentage: `+14.2%`, `-3.0%`; `n/a` when not a number. */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return 'n/a';
  const pct = change * 100;
  const text = Math.abs(pct) >= 100 ? pct.toFixed(0) : pct.toFixed(1);
  return `${pct >= 0 && !text.startsWith('-') ? '+' : ''}${text === '-0.0' ? '0.0' : text}%`;
}

/** A confidence interval of a relative change: `+8.1% … +20.3%`. */
export function formatCi(ci: readonly [number | null, number | null] | readonly (number | null)[]): string {
  return `${formatChange(ci[0])} … ${formatChange(ci[1])}`;
}

/** An unsigned fraction as a percentage: 0.1 -> `10%`. */
export function formatFraction(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

/** A p-value: three decimals, scientific below 0.001. */
export function formatP(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  if (p === 0) return '0';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

/** An integer with thousands separators. */
export function formatCount(n: number): string {
  return GROUPED.format(n);
}
