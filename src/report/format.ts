import { metricUnit } from '../metrics/units.js';

/*
 * Numbers for people, in two styles that are kept apart on purpose because saved reports
 * and CI histories hold both:
 *  - `table` (the default): tables, JUnit bodies, annotations: `2.50 ms`, `12,345`,
 *    `p=0.003`; anything not a number is `n/a`.
 *  - `message`: the one-line verdict messages stored in report.json: compact, no space
 *    before a time unit and ASCII `us` (`2.5ms`), two significant digits of p (`p=0.0031`),
 *    and `+inf%` for an unbounded change.
 */

export type NumberStyle = 'table' | 'message';

const GROUPED = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const GROUPED_2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

type Ladder = Array<[suffix: string, factor: number]>;

/** Steps of the table style, smallest first, in the kind's base unit. */
const TIME_LADDER: Ladder = [
  ['ns', 1],
  ['µs', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
];
const BYTES_LADDER: Ladder = [
  ['B', 1],
  ['KiB', 1024],
  ['MiB', 1024 ** 2],
  ['GiB', 1024 ** 3],
  ['TiB', 1024 ** 4],
];
/** The message style's steps, largest first. */
const MESSAGE_TIME_LADDER: Ladder = [
  ['s', 1e9],
  ['ms', 1e6],
  ['us', 1e3],
  ['ns', 1],
];

function scaled(value: number, ladder: Ladder): string {
  const abs = Math.abs(value);
  let i = 0;
  while (i + 1 < ladder.length && abs >= ladder[i + 1]![1]) i++;
  let shown = value / ladder[i]![1];
  // 999.7 ns would round to "1000 ns": show it as 1.00 µs instead.
  if (Math.abs(Number(shown.toPrecision(3))) >= 1000 && i + 1 < ladder.length) {
    i++;
    shown = value / ladder[i]![1];
  }
  const suffix = ladder[i]![0];
  if (i === 0 && Number.isInteger(value)) return `${GROUPED.format(value)} ${suffix}`;
  const a = Math.abs(shown);
  return `${shown.toFixed(a >= 100 ? 0 : a >= 10 ? 1 : 2)} ${suffix}`;
}

function count(value: number): string {
  return Math.abs(value) >= 100 ? GROUPED.format(value) : GROUPED_2.format(value);
}

/**
 * The message style knows only ns among the times (a metric in us is shown in us), and
 * leaves counts and ratios as plain numbers of four significant digits.
 */
function messageValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'ns') {
    const [name, factor] = MESSAGE_TIME_LADDER.find(([, f]) => Math.abs(value) >= f) ?? ['ns', 1];
    return `${Number((value / factor).toPrecision(3))}${name}`;
  }
  const text = String(Number(value.toPrecision(4)));
  return unit === '1' || unit === 'ratio' || unit === '' ? text : `${text} ${unit}`;
}

/** A value in its metric's unit for people: `1.23 ms`, `12,345`, `12.5%`; `n/a` when not a number. */
export function formatValue(value: number | null | undefined, unit: string, style: NumberStyle = 'table'): string {
  if (style === 'message') return messageValue(value ?? NaN, unit);
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  const info = metricUnit(unit);
  if (info === undefined) return `${count(value)} ${unit}`;
  switch (info.kind) {
    case 'count':
      return count(value);
    case 'ratio':
      return `${Number((value * 100).toPrecision(3))}%`;
    case 'percent':
      return `${Number(value.toPrecision(3))}%`;
    case 'time':
      return scaled(value * info.toBase, TIME_LADDER);
    case 'bytes':
      return scaled(value * info.toBase, BYTES_LADDER);
  }
}

/** A relative change as a signed percentage: `+14.2%`, `-3.0%`; `n/a` when not a number (`+inf%` in messages). */
export function formatChange(change: number | null | undefined, style: NumberStyle = 'table'): string {
  if (change === null || change === undefined || Number.isNaN(change)) return 'n/a';
  if (!Number.isFinite(change)) return style === 'message' ? (change > 0 ? '+inf%' : '-inf%') : 'n/a';
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

/** A p-value: three decimals, scientific below 0.001; in messages two significant digits (`0.0031`, `2.1e-5`). */
export function formatP(p: number | null | undefined, style: NumberStyle = 'table'): string {
  if (style === 'message') return messageP(p ?? NaN);
  if (p === null || p === undefined || !Number.isFinite(p)) return 'n/a';
  if (p === 0) return '0';
  return p >= 0.001 ? p.toFixed(3) : p.toExponential(1);
}

function messageP(p: number): string {
  if (Number.isNaN(p)) return 'n/a';
  if (p >= 0.001) return String(Number(p.toPrecision(p >= 0.01 ? 2 : 1)));
  if (p === 0) return '0';
  const [mant = '', exp = ''] = p.toExponential(1).split('e');
  return `${mant}e${Number(exp)}`;
}

/** An integer with thousands separators. */
export function formatCount(n: number): string {
  return GROUPED.format(n);
}
