import type { Report } from '../types.js';
import { exportRows, type ExportSelection } from './rows.js';

/*
 * CSV in the spirit of hyperfine's --export-csv: one line per metric, the summary of its
 * repetitions in the metric's own unit. RFC 4180 quoting. A text cell that a spreadsheet would
 * read as a formula (=, +, -, @, tab, CR first) gets a leading apostrophe: names come from
 * scenario files and workloads.
 */

export const CSV_COLUMNS = ['scenario', 'metric', 'unit', 'better', 'median', 'mean', 'min', 'max', 'stddev', 'n'] as const;

function textCell(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvText(report: Report, selection: ExportSelection): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const r of exportRows(report, selection)) {
    const s = r.summary;
    lines.push([textCell(r.scenario), textCell(r.metric), textCell(r.unit), r.better, s.median, s.mean, s.min, s.max, s.stddev, r.n].map(String).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
