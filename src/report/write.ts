import { join } from 'node:path';
import { writeFileSet } from '../file-set.js';
import { replaceSymlink, writeFailure } from '../files.js';
import { makeDirs } from '../safe-fs.js';
import { renderHtml } from './html/render.js';
import { foldReport } from './compact.js';
import { gateLinesOf } from './gate-lines.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { validateReport } from './schema.js';
import type { Report } from './types.js';

export { replaceSymlink, writeFileAtomic } from '../files.js';

export interface WriteReportsOptions {
  /** The run's folder, e.g. reports/<run>; created when missing. */
  dir: string;
  /** A symlink to point at `dir` once every file is in place, e.g. reports/latest. */
  latestLink?: string;
  /** Indented report.json for reading by eye; compact otherwise (a fraction of the size). */
  pretty?: boolean;
  /** Paths in junit.xml are relative to it, and a swap never moves it; the process's working directory when absent. */
  cwd?: string;
  /** How to write elsewhere, for the fix of a full or read-only folder. */
  elsewhere?: string;
}

export interface WrittenReports {
  json: string;
  junit: string;
  markdown: string;
}

/**
 * report.json's text. JSON has no NaN or Infinity: JSON.stringify writes them as null, which
 * is what the schema allows for summaries of empty series and undefined relative changes.
 */
export function reportJsonText(report: Report, pretty = false): string {
  const stored = foldReport(report);
  return `${pretty ? JSON.stringify(stored, null, 2) : JSON.stringify(stored)}\n`;
}

/**
 * Writes report.json, junit.xml, summary.md, comment.md and report.html into `dir` as one set
 * (see file-set.ts: the old set or the new one, never a mix), then moves the `latestLink`
 * symlink. The report is checked against its schema first: a report that does not validate is
 * a kdelta bug, and nothing is written. A full, read-only or unwritable folder is exit 3.
 */
export async function writeReports(report: Report, options: WriteReportsOptions): Promise<WrittenReports> {
  const json = reportJsonText(report, options.pretty ?? false);
  const validation = validateReport(JSON.parse(json));
  if (!validation.ok) {
    throw new Error(
      `kdelta bug: the report does not match schemas/report.schema.json (${validation.errors.slice(0, 5).join('; ')}); please report it`,
    );
  }
  const cwd = options.cwd ?? process.cwd();
  // Render everything before the first write, so an exception leaves no partial set behind.
  const files = [
    ['report.json', json],
    ['junit.xml', renderJunit(report, { cwd, gateLines: await gateLinesOf(report) })],
    ['summary.md', renderMarkdown(report, { variant: 'summary' })],
    ['comment.md', renderMarkdown(report, { variant: 'comment' })],
    ['report.html', renderHtml(report)],
  ] as const;
  const elsewhere = options.elsewhere ?? 'pass --out a folder elsewhere';
  try {
    await makeDirs(join(options.dir, '..'));
    await writeFileSet(options.dir, files, cwd);
    if (options.latestLink !== undefined) await replaceSymlink(options.latestLink, options.dir);
  } catch (err) {
    throw writeFailure(err, options.dir, 'the reports', elsewhere);
  }
  return { json: join(options.dir, 'report.json'), junit: join(options.dir, 'junit.xml'), markdown: join(options.dir, 'summary.md') };
}
