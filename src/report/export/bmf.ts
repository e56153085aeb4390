import { exportRows, nsPerUnit, scaled, type ExportRow, type ExportSelection } from './rows.js';
import type { Report } from '../types.js';

/*
 * Bencher Metric Format: `{ "<benchmark>": { "<measure>": { value, lower_value, upper_value } } }`.
 * Bencher keeps the unit on the Measure and the alert direction on its thresholds, not in the
 * file, so the Measure is chosen by what the metric measures: a time where lower is better is
 * the built-in `latency` (nanoseconds), a rate where higher is better the built-in `throughput`
 * (per second), and anything else a Measure named after its unit and direction
 * (`count-lower-is-better`), which Bencher creates on first upload. The benchmark is
 * `<scenario>/<metric>`; the value is the median of the repetitions, lower and upper their
 * minimum and maximum.
 */

export interface BmfMetric {
  value: number;
  lower_value?: number;
  upper_value?: number;
}
export type Bmf = Record<string, Record<string, BmfMetric>>;

const RATE = new Set(['1/s', 'ops/s', 'op/s', 'Hz']);

function unitSlug(unit: string): string {
  if (unit === '1' || unit === '') return 'count';
  const slug = unit
    .toLowerCase()
    .replace(/µ/g, 'u')
    .replace(/\//g, '-per-')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug || 'value';
}

/** The Measure a row goes to, and the factor that takes its value to that Measure's unit. */
export function bmfMeasure(row: Pick<ExportRow, 'unit' | 'better'>): { measure: string; factor: number } {
  const ns = nsPerUnit(row.unit);
  if (ns !== null && row.better === 'lower') return { measure: 'latency', factor: ns };
  if (RATE.has(row.unit) && row.better === 'higher') return { measure: 'throughput', factor: 1 };
  const unit = ns !== null ? 'ns' : row.unit;
  return { measure: `${unitSlug(unit)}-${row.better}-is-better`, factor: ns ?? 1 };
}

export function toBmf(report: Report, selection: ExportSelection): Bmf {
  const out: Bmf = {};
  for (const row of exportRows(report, selection)) {
    const { measure, factor } = bmfMeasure(row);
    const s = scaled(row.summary, factor);
    const benchmark = `${row.scenario}/${row.metric}`;
    (out[benchmark] ??= {})[measure] = { value: s.median, lower_value: s.min, upper_value: s.max };
  }
  return out;
}

export function bmfText(report: Report, selection: ExportSelection): string {
  return `${JSON.stringify(toBmf(report, selection), null, 2)}\n`;
}
