import type { Baseline } from '../baselines/types.js';
import { InputError } from '../errors.js';
import type { Report, ScenarioReport } from '../report/types.js';
import { evaluateRuns, overallStatus, type BaselineMatch } from '../report/evaluate.js';
import { runFromReport } from '../report/saved.js';
import type { ScenarioRun } from '../run/runner.js';

/** The baseline a shard compared a scenario with, rebuilt from what its report kept of it. */
function baselineOf(s: ScenarioReport, report: Report): BaselineMatch | null {
  if (!s.baseline) return null;
  const metrics: Baseline['metrics'] = {};
  for (const m of s.metrics) if (m.baseline) metrics[m.name] = { unit: m.unit, better: m.better, samples: m.baseline.samples };
  return {
    path: s.baseline.path,
    baseline: {
      schemaVersion: 1,
      scenario: s.name,
      workloadHash: '',
      machine: s.baseline.machine,
      metrics,
      environment: report.environment,
      provenance: { commit: null, time: s.baseline.recordedAt, reason: `shard ${report.runId}`, kdeltaVersion: report.kdeltaVersion },
    },
    mismatch: s.baseline.mismatch,
    stale: s.baseline.stale,
  };
}

/** FNV-1a of the run id: the merged report's bootstrap seed, fixed by its id as a run's is. */
function seedOf(runId: string): number {
  let h = 2166136261;
  for (const ch of runId) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/**
 * One report from the reports of shards: every scenario compared again with the baseline its
 * shard used, with all gated p-values of all shards in one family (each shard adjusted only
 * over its own), so the merged verdicts and exit code are those of one unsharded run.
 */
export async function mergeReports(reports: ReadonlyArray<{ path: string; report: Report }>, runId: string): Promise<Report> {
  if (reports.length === 0) throw new InputError('no reports to merge', { fix: 'name the shard reports: kdelta merge shard-*/report.json --out merged/' });
  const seen = new Map<string, string>();
  const runs: Array<{ run: ScenarioRun; baseline: BaselineMatch | null }> = [];
  for (const { path, report } of reports) {
    for (const s of report.scenarios) {
      const other = seen.get(s.name);
      if (other) throw new InputError(`scenario ${s.name} is in ${other} and in ${path}`, { file: path, fix: 'merge the reports of disjoint shards of one run (kdelta run --shard i/N)' });
      seen.set(s.name, path);
      runs.push({ run: (await runFromReport(s)).run, baseline: baselineOf(s, report) });
    }
  }
  const { scenarios, family } = evaluateRuns(runs, seedOf(runId));
  const first = reports[0]!.report;
  const times = reports.map((r) => r.report);
  return {
    schemaVersion: 1,
    runId,
    startedAt: times.map((r) => r.startedAt).sort()[0]!,
    endedAt: times.map((r) => r.endedAt).sort().at(-1)!,
    kdeltaVersion: first.kdeltaVersion,
    environment: first.environment,
    status: overallStatus(scenarios),
    family,
    scenarios,
  };
}
