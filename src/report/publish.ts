import { access, appendFile, constants, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EXIT, InputError } from '../errors.js';
import type { Io } from '../io.js';
import { interruptedExitCode, useColor } from '../io.js';
import { renderConsoleSummary } from './console.js';
import { publishToGithub } from './github.js';
import { renderMarkdown } from './markdown.js';
import type { Report } from './types.js';
import { writeFileAtomic, writeReports } from './write.js';

/**
 * Makes sure the reports can be written before anything runs: a --out that is a file, or a
 * folder kdelta may not write, is bad input (exit 2), not an error after the whole run.
 */
export async function checkOutDir(outDir: string | undefined, io: Io): Promise<void> {
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports');
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new InputError(`cannot write reports into ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { fix: outDir ? 'give --out a folder kdelta can create or write' : 'run kdelta where it can write reports/, or pass --out DIR' });
  }
}

/**
 * Writes report.json, junit.xml, summary.md and comment.md (into --out, else reports/<run-id>/
 * with reports/latest pointing at it), publishes to GitHub Actions when there, prints the
 * console summary on stderr and the paths on stdout. Returns the folder written.
 */
export async function publishReport(report: Report, outDir: string | undefined, io: Io, pretty = false): Promise<string> {
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports', report.runId);
  const written = await writeReports(report, { dir, pretty, cwd: io.cwd, ...(outDir ? {} : { latestLink: resolve(io.cwd, 'reports', 'latest') }) });
  await writeFileAtomic(join(dir, 'comment.md'), renderMarkdown(report, { variant: 'comment' }));
  await publishToGithub(report, {
    env: io.env,
    writeLine: (line) => io.stdout.write(line + '\n'),
    appendFile: (path, text) => appendFile(path, text),
  });
  io.stderr.write(renderConsoleSummary(report, { color: useColor(io), written }));
  io.stdout.write(`${written.json}\n${written.junit}\n${written.markdown}\n`);
  return dir;
}

/** The exit code of a published report: interrupted, then a failed workload (4), then a regression (1). */
export function reportExitCode(report: Report, signal: AbortSignal): number {
  if (signal.aborted) return interruptedExitCode(signal);
  if (report.status === 'error') return EXIT.workloadFailed;
  if (report.status === 'regression') return EXIT.regression;
  return EXIT.ok;
}
