import { resolve } from 'node:path';
import { readBaselineOrReport } from '../report/saved.js';
import { EXIT, InputError } from '../errors.js';
import type { Io } from '../io.js';
import type { Better } from '../metrics/types.js';
import { bmfText } from '../report/export/bmf.js';
import { csvText } from '../report/export/csv.js';
import { TOOL_OF, toBenchmarkResults } from '../report/export/github-action-benchmark.js';
import { exportRows } from '../report/export/rows.js';
import type { Report } from '../report/types.js';
import { writeFileAtomic } from '../report/write.js';
import { inertText } from '../workflow-commands.js';

export const EXPORT_FORMATS = ['bmf', 'github-action-benchmark', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportCommandOptions {
  report: string;
  format: string;
  all?: boolean;
  out?: string;
  direction?: string;
}

function formatOf(text: string): ExportFormat {
  const f = EXPORT_FORMATS.find((x) => x === text);
  if (!f) throw new InputError(`unknown export format "${text}"`, { fix: `use --format ${EXPORT_FORMATS.join(' | ')}` });
  return f;
}

function directionOf(text: string | undefined, format: ExportFormat): Better {
  if (text !== undefined && format !== 'github-action-benchmark') throw new InputError('--direction is for --format github-action-benchmark only', { fix: 'leave --direction out' });
  if (text === undefined || text === 'lower') return 'lower';
  if (text === 'higher') return 'higher';
  throw new InputError(`unknown direction "${text}"`, { fix: 'use --direction lower (customSmallerIsBetter) or --direction higher (customBiggerIsBetter)' });
}

function render(report: Report, format: ExportFormat, all: boolean, direction: Better, note: (text: string) => void): string {
  switch (format) {
    case 'bmf':
      return bmfText(report, { all });
    case 'csv':
      return csvText(report, { all });
    case 'github-action-benchmark': {
      const { results, otherDirection } = toBenchmarkResults(report, { all, direction });
      if (otherDirection > 0) {
        const other: Better = direction === 'lower' ? 'higher' : 'lower';
        note(`${otherDirection} metric${otherDirection === 1 ? '' : 's'} where ${other} is better left out: export them with --direction ${other} for ${TOOL_OF[other]}`);
      }
      if (results.length === 0) {
        throw new InputError(`no metric where ${direction} is better to export (github-action-benchmark fails on an empty file)`, { fix: `try --direction ${direction === 'lower' ? 'higher' : 'lower'}${all ? '' : ' or --all'}` });
      }
      return `${JSON.stringify(results, null, 2)}\n`;
    }
  }
}

/** `kdelta export`: a report's metrics in the format a dashboard reads, on stdout or into --out. */
export async function exportCommand(options: ExportCommandOptions, io: Io): Promise<number> {
  const format = formatOf(options.format);
  const direction = directionOf(options.direction, format);
  const all = options.all === true;
  const path = resolve(io.cwd, options.report);
  const saved = await readBaselineOrReport(path);
  if (saved.kind !== 'report') throw new InputError('this is a baseline, not a report', { file: path, fix: 'export a report.json written by kdelta run or kdelta compare' });
  const rows = exportRows(saved.report, { all });
  if (rows.length === 0) {
    throw new InputError(`no ${all ? '' : 'gated '}metric with samples to export`, { file: path, fix: all ? 'the run measured nothing: look at its summary' : 'pass --all to export every metric' });
  }
  const note = (text: string) => io.stderr.write(`kdelta: ${inertText(text)}\n`);
  const text = render(saved.report, format, all, direction, note);
  if (options.out === undefined) io.stdout.write(text);
  else {
    const out = resolve(io.cwd, options.out);
    try {
      await writeFileAtomic(out, text);
    } catch (e) {
      throw new InputError(`cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { file: out, fix: 'give --out a file in a folder kdelta can write' });
    }
    note(`wrote ${rows.length} metric${rows.length === 1 ? '' : 's'} as ${format} to ${out}`);
  }
  return EXIT.ok;
}
