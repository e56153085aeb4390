import { access, appendFile, constants, statfs } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { EnvironmentError, EXIT, InputError } from '../errors.js';
import type { Io } from '../io.js';
import { interruptedExitCode, useColor } from '../io.js';
import { renderConsoleSummary } from './console.js';
import { publishToGithub } from './github.js';
import type { Report } from './types.js';
import { writeReports } from './write.js';
import { makeDirs } from '../safe-fs.js';
import { sweepStaleSets } from '../file-set.js';
import { sweepStaleTemps, writeFailure } from '../files.js';

/** Room a report set needs: report.json and summary.md of a large run stay well under this. */
export const REPORT_SPACE_BYTES = 4 * 1024 * 1024;

/** Errors of the file system itself rather than of the path the user gave: exit 3. */
const ENVIRONMENT_CODES = new Set(['EROFS', 'ENOSPC', 'EDQUOT', 'EIO']);

/**
 * Makes sure the reports can be written before anything runs: a --out that is empty, a file,
 * or a folder kdelta may not write is bad input (exit 2); a read-only or full file system, and
 * an unwritable $GITHUB_STEP_SUMMARY, are the environment (exit 3), not an error after the run.
 */
export async function checkOutDir(outDir: string | undefined, io: Io): Promise<void> {
  if (outDir !== undefined && outDir.trim() === '') throw new InputError('--out is empty', { fix: 'give --out a folder, or leave it out to write into reports/' });
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports');
  try {
    // Before the folder is made: a kill between a swap's two renames left no folder, and the old set is put back.
    await sweepLeftovers(dir, Boolean(outDir));
    await makeDirs(dir);
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    if (ENVIRONMENT_CODES.has(code) || !outDir) throw new EnvironmentError(`cannot write reports into ${dir}: ${code}`, { fix: outDir ? 'give --out a folder on a writable file system with free space' : 'run kdelta where it can write reports/, or pass --out DIR' });
    throw new InputError(`cannot write reports into ${dir}: ${code}`, { fix: 'give --out a folder kdelta can create or write' });
  }
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < REPORT_SPACE_BYTES) {
    throw new EnvironmentError(`no room for the reports in ${dir}: ${free} bytes free, kdelta needs ${REPORT_SPACE_BYTES}`, { fix: 'free space on that file system, or pass --out a folder elsewhere' });
  }
  await checkStepSummary(io.env);
}

/**
 * What a SIGKILLed kdelta left in the out folder or beside it: half-written files, a half-built
 * report set, an old set swapped aside (restored when the kill left no folder). Beside a --out
 * folder only that folder's own leftovers are touched: the folder above it is the user's.
 * Best effort: a folder it cannot clean is reported by the checks that follow.
 */
async function sweepLeftovers(dir: string, named: boolean): Promise<void> {
  const name = basename(dir);
  const sweep = named
    ? [() => sweepStaleSets(dirname(dir), name), () => sweepStaleTemps(dirname(dir), (e) => e.target === name), () => sweepStaleTemps(dir)]
    : [() => sweepStaleSets(dir), () => sweepStaleTemps(dir)];
  for (const step of sweep) await step().catch(() => undefined);
}

/** GitHub's step summary is appended to at the end of the run; a path it cannot append to is found now. */
async function checkStepSummary(env: NodeJS.ProcessEnv): Promise<void> {
  const path = env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    const existing = await access(path).then(() => true, () => false);
    await access(existing ? path : dirname(path), constants.W_OK);
  } catch (err) {
    throw new EnvironmentError(`cannot append to $GITHUB_STEP_SUMMARY (${path}): ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { fix: 'unset GITHUB_STEP_SUMMARY, or point it at a writable file' });
  }
}

/**
 * Writes the report set (into --out, else reports/<run-id>/ with reports/latest pointing at
 * it), publishes to GitHub Actions when there, prints the console summary on stderr and the
 * paths on stdout. Returns the folder written. A set the machine cannot write (full,
 * read-only) is exit 3, with the console summary printed first.
 */
export async function publishReport(report: Report, outDir: string | undefined, io: Io, pretty = false): Promise<string> {
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports', report.runId);
  const elsewhere = outDir ? 'pass --out a folder elsewhere' : 'pass --out a folder elsewhere (reports/ is the default)';
  const written = await writeReports(report, { dir, pretty, cwd: io.cwd, elsewhere, ...(outDir ? {} : { latestLink: resolve(io.cwd, 'reports', 'latest') }) }).catch((err: unknown) => {
    // What was measured is still told on the console when it cannot be kept on disk.
    if (err instanceof EnvironmentError) io.stderr.write(renderConsoleSummary(report, { color: useColor(io) }));
    throw err;
  });
  await publishToGithub(report, {
    env: io.env,
    writeLine: (line) => io.stdout.write(line + '\n'),
    appendFile: (path, text) => appendFile(path, text).catch((err: unknown) => {
      throw writeFailure(err, path, 'the step summary ($GITHUB_STEP_SUMMARY)', 'unset GITHUB_STEP_SUMMARY');
    }),
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
