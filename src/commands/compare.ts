import { dirname, resolve } from 'node:path';
import { reconcileBaseline } from '../baselines/check.js';
import { workloadHash } from '../baselines/store.js';
import { readBaselineOrReport, type SavedResult } from '../report/saved.js';
import { InputError } from '../errors.js';
import type { Io } from '../io.js';
import { buildReport, evaluateRuns } from '../report/evaluate.js';
import { checkOutDir, publishReport, reportExitCode } from '../report/publish.js';
import { newRunId, seedOf } from '../run/run-id.js';
import { baselineFromSaved, runFromReport } from '../report/saved.js';

export interface CompareCommandOptions {
  base: string;
  current: string;
  out?: string;
  pretty?: boolean;
}

/**
 * A base that shares no scenario with the current report would make every verdict
 * `no-baseline` and pass: that is two unrelated files, exit 2.
 */
function checkSameScenarios(base: SavedResult, current: string[]): void {
  const names = base.kind === 'baseline' ? [base.baseline.scenario] : base.report.scenarios.map((s) => s.name);
  if (names.some((n) => current.includes(n))) return;
  const what = base.kind === 'baseline' ? `a baseline of scenario "${names[0] ?? ''}"` : `a report of ${names.length ? names.map((n) => `"${n}"`).join(', ') : 'no scenarios'}`;
  throw new InputError(`${what}, but the current report measured ${current.map((n) => `"${n}"`).join(', ')}: nothing to compare`, {
    file: base.path,
    fix: `compare against the baseline or report of the same scenario (baselines/<machine>/${current[0] ?? '<scenario>'}.json)`,
  });
}

/** `kdelta compare A B`: the same engine on two saved files. */
export async function compareCommand(o: CompareCommandOptions, io: Io): Promise<number> {
  const currentPath = resolve(io.cwd, o.current);
  const current = await readBaselineOrReport(currentPath);
  if (current.kind !== 'report') throw new InputError('the second file must be a report.json written by kdelta run', { file: currentPath });
  if (current.report.scenarios.length === 0) throw new InputError('the report has no scenarios: there is nothing to compare', { file: currentPath, fix: 'compare a report.json of a run that measured at least one scenario' });
  const base = await readBaselineOrReport(resolve(io.cwd, o.base));
  checkSameScenarios(base, current.report.scenarios.map((s) => s.name));
  if (base.kind === 'report' && base.report.ab) io.stderr.write(`kdelta: ${base.path} is a kdelta ab report: its base side is the baseline\n`);
  if (current.report.ab) io.stderr.write(`kdelta: ${currentPath} is a kdelta ab report: its head side is compared\n`);
  await checkOutDir(o.out, io);
  const env = current.report.environment;
  const runs = [];
  for (const s of current.report.scenarios) {
    const { run, fromFile } = await runFromReport(s);
    const hash = fromFile ? workloadHash(run.scenario.workload, dirname(run.scenario.file)) : null;
    runs.push({ run, baseline: reconcileBaseline(baselineFromSaved(base, s.name, hash, env), run.scenario, run.metrics) });
  }
  const runId = newRunId(new Date());
  const { scenarios, family } = evaluateRuns(runs, seedOf(runId));
  // The report is of the measurements: their times, not the time compare ran.
  const measured = { startedAt: new Date(current.report.startedAt), endedAt: new Date(current.report.endedAt) };
  const report = buildReport(runId, measured.startedAt, env, scenarios, family, measured.endedAt);
  await publishReport(report, o.out, io, o.pretty ?? false);
  return reportExitCode(report, io.signal);
}
