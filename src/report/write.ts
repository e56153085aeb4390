import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { replaceSymlink, writeFileAtomic } from '../files.js';
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
  /** Paths in junit.xml are relative to it; the process's working directory when absent. */
  cwd?: string;
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
 * Writes report.json, junit.xml and summary.md into `dir`, each atomically, then moves the
 * `latestLink` symlink. The report is checked against its schema first: a report that does
 * not validate is a kdelta bug, and nothing is written.
 */
export async function writeReports(report: Report, options: WriteReportsOptions): Promise<WrittenReports> {
  const json = reportJsonText(report, options.pretty ?? false);
  const validation = validateReport(JSON.parse(json));
  if (!validation.ok) {
    throw new Error(
      `kdelta bug: the report does not match schemas/report.schema.json (${validation.errors.slice(0, 5).join('; ')}); please report it`,
    );
  }
  // Render everything before the first write, so an exception leaves no partial set behind.
  const junit = renderJunit(report, { cwd: options.cwd ?? process.cwd(), gateLines: await gateLinesOf(report) });
  const markdown = renderMarkdown(report, { variant: 'summary' });
  const html = renderHtml(report);

  await mkdir(options.dir, { recursive: true });
  const paths: WrittenReports = {
    json: join(options.dir, 'report.json'),
    junit: join(options.dir, 'junit.xml'),
    markdown: join(options.dir, 'summary.md'),
  };
  await writeFileAtomic(paths.json, json);
  await writeFileAtomic(paths.junit, junit);
  await writeFileAtomic(paths.markdown, markdown);
  await writeFileAtomic(join(options.dir, 'report.html'), html);
  if (options.latestLink !== undefined) await replaceSymlink(options.latestLink, options.dir);
  return paths;
}
