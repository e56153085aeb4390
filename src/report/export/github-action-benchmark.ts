import type { Better } from '../../metrics/types.js';
import type { Report } from '../types.js';
import { exportRows, type ExportRow, type ExportSelection } from './rows.js';

/*
 * github-action-benchmark's custom tools: a JSON array of `{ name, unit, value, range?, extra? }`.
 * The direction is the tool's (`customSmallerIsBetter` or `customBiggerIsBetter`), one per
 * file, so a file holds the metrics of one direction: `lower` (the default, for
 * customSmallerIsBetter: times, counts, delays) or `higher` (for customBiggerIsBetter:
 * throughputs). The name is `<scenario>/<metric>`, the value the median of the repetitions in
 * the metric's own unit, the range `± <standard deviation>`, and extra the rest a reader may
 * want in the chart's tooltip.
 */

export interface BenchmarkResult {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export const TOOL_OF: Record<Better, string> = { lower: 'customSmallerIsBetter', higher: 'customBiggerIsBetter' };

function unitLabel(unit: string): string {
  return unit === '1' || unit === '' ? 'count' : unit;
}

const num = (x: number) => Number(x.toPrecision(6));

export function toBenchmarkResults(report: Report, selection: ExportSelection & { direction: Better }): { results: BenchmarkResult[]; otherDirection: number } {
  const rows = exportRows(report, selection);
  const mine = rows.filter((r) => r.better === selection.direction);
  const results = mine.map((r: ExportRow) => ({
    name: `${r.scenario}/${r.metric}`,
    unit: unitLabel(r.unit),
    value: r.summary.median,
    range: `± ${num(r.summary.stddev)}`,
    extra: [
      `median of ${r.n} repetitions`,
      `mean ${num(r.summary.mean)}, min ${num(r.summary.min)}, max ${num(r.summary.max)}`,
      ...(r.verdict !== null ? [`verdict ${r.verdict}`] : []),
    ].join('\n'),
  }));
  return { results, otherDirection: rows.length - mine.length };
}
