import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { renderHtml } from './html/render.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { validateReport } from './schema.js';
import type { Report } from './types.js';

export interface WriteReportsOptions {
  /** The run's folder, e.g. reports/<run>; created when missing. */
  dir: string;
  /** A symlink to point at `dir` once every file is in place, e.g. reports/latest. */
  latestLink?: string;
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
export function reportJsonText(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

function tempNameBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a file under a temporary name in the same folder, flushes it and renames it into place. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = tempNameBeside(path);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      // Without the flush, a crash right after the rename can leave an empty file under the final name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Points `link` at `target` by creating a new symlink beside it and renaming it over the old one. */
export async function replaceSymlink(link: string, target: string): Promise<void> {
  const temp = tempNameBeside(link);
  // Relative, so the reports folder can be moved or archived as a whole.
  await symlink(relative(dirname(resolve(link)), resolve(target)), temp);
  try {
    await rename(temp, link);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/**
 * Writes report.json, junit.xml and summary.md into `dir`, each atomically, then moves the
 * `latestLink` symlink. The report is checked against its schema first: a report that does
 * not validate is a kdelta bug, and nothing is written.
 */
export async function writeReports(report: Report, options: WriteReportsOptions): Promise<WrittenReports> {
  const json = reportJsonText(report);
  const validation = validateReport(JSON.parse(json));
  if (!validation.ok) {
    throw new Error(
      `kdelta bug: the report does not match schemas/report.schema.json (${validation.errors.slice(0, 5).join('; ')}); please report it`,
    );
  }
  // Render everything before the first write, so an exception leaves no partial set behind.
  const junit = renderJunit(report);
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
