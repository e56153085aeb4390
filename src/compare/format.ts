/** Number formatting for verdict messages: one place, so every message reads the same. */

/** +0.142 -> "+14.2%"; an unbounded change (from a zero baseline) -> "+inf%". */
export function formatChange(x: number): string {
  if (Number.isNaN(x)) return 'n/a';
  if (!Number.isFinite(x)) return x > 0 ? '+inf%' : '-inf%';
  const pct = x * 100;
  const digits = Math.abs(pct) >= 100 ? 0 : 1;
  const text = pct.toFixed(digits);
  return (pct >= 0 && !text.startsWith('-') ? '+' : '') + (text === '-0.0' ? '0.0' : text) + '%';
}

/** 0.00312 -> "0.003", 0.000021 -> "2.1e-5", 1 -> "1". */
export function formatP(p: number): string {
  if (Number.isNaN(p)) return 'n/a';
  if (p >= 0.001) return String(Number(p.toPrecision(p >= 0.01 ? 2 : 1)));
  if (p === 0) return '0';
  const [mant = '', exp = ''] = p.toExponential(1).split('e');
  return `${mant}e${Number(exp)}`;
}

const TIME_UNITS: ReadonlyArray<[string, number]> = [
  ['s', 1e9],
  ['ms', 1e6],
  ['us', 1e3],
  ['ns', 1],
];

/** A value in a metric's base unit, readable: 2_500_000 ns -> "2.5ms", 0.25 ratio -> "0.25". */
export function formatValue(value: number, unit: string): string {
  if (!Number.isFinite(value)) return String(value);
  if (unit === 'ns') {
    const [name, scale] = TIME_UNITS.find(([, s]) => Math.abs(value) >= s) ?? ['ns', 1];
    return `${Number((value / scale).toPrecision(3))}${name}`;
  }
  const text = String(Number(value.toPrecision(4)));
  return unit === '1' || unit === 'ratio' || unit === '' ? text : `${text} ${unit}`;
}
