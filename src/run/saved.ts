import type { Baseline } from '../baselines/types.js';
import { fingerprintMismatch } from '../environment/fingerprint.js';
import type { Fingerprint } from '../environment/types.js';
import type { Metric } from '../metrics/types.js';
import type { Report, ScenarioReport } from '../report/types.js';
import { loadScenarios } from '../scenario/load.js';
import type { GateSpec, Scenario } from '../scenario/types.js';
import type { BaselineMatch } from './evaluate.js';
import type { ScenarioRun } from './runner.js';

/** A saved file `kdelta compare` and `baseline update --from` read: a baseline, or a report of a run. */
export type SavedResult = { kind: 'baseline'; path: string; baseline: Baseline } | { kind: 'report'; path: string; report: Report };

/**
 * The gate of a scenario in a saved report: from its scenario file when that is still
 * there (alpha, test, limits), else rebuilt from what the report says was gated.
 */
async function gateOf(s: ScenarioReport): Promise<{ gate: GateSpec; scenario: Scenario | null }> {
  const { scenarios, problems } = await loadScenarios([s.file]).catch(() => ({ scenarios: [], problems: [1] }));
  const scenario = problems.length === 0 ? (scenarios.find((x) => x.name === s.name) ?? null) : null;
  if (scenario) return { gate: scenario.gate, scenario };
  const metrics: GateSpec['metrics'] = {};
  for (const m of s.metrics) if (m.gated) metrics[m.name] = { tolerance: m.tolerance ?? 0.05, alpha: 0.05 };
  return { gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics, limits: [], requireSameMachine: false }, scenario: null };
}

/**
 * Rebuilds what running a scenario produced from its part of a saved report. `fromFile`:
 * the scenario file is still there, so its workload (and so staleness) is known.
 */
export async function runFromReport(s: ScenarioReport): Promise<{ run: ScenarioRun; fromFile: boolean }> {
  const { gate, scenario } = await gateOf(s);
  const metrics: Metric[] = s.metrics
    .filter((m) => m.samples.length > 0)
    .map((m) => ({
      name: m.name,
      unit: m.unit,
      better: m.better,
      samples: m.samples,
      ...(m.histogram && { histogram: m.histogram }),
      ...(m.source !== null && { source: m.source }),
    }));
  const fallback: Scenario = {
    name: s.name,
    description: s.description,
    file: s.file,
    workload: { kind: 'command', argv: ['unknown'], env: {}, cwd: '.', timeoutMs: 0, metrics: [] },
    repetitions: s.repetitions,
    warmup: s.warmup,
    collect: { proc: false, ebpf: false, require: [] },
    gate,
  };
  const run: ScenarioRun = {
    scenario: scenario ? { ...scenario, gate } : fallback,
    repetitions: s.repetitions,
    warmup: s.warmup,
    metrics,
    collectors: s.collectors,
    isolation: s.isolation,
    lost: s.lost,
    failure: s.failure,
    irqTable: s.irqTable,
    ...(s.cpuSeries && { cpuSeries: s.cpuSeries }),
    ...(s.timeline && { timeline: s.timeline }),
  };
  return { run, fromFile: scenario !== null };
}

/** The baseline to compare a scenario with, taken from a saved baseline or report. */
export function baselineFromSaved(saved: SavedResult, scenario: string, workloadHash: string | null, environment: Fingerprint): BaselineMatch | null {
  if (saved.kind === 'baseline') {
    if (saved.baseline.scenario !== scenario) return null;
    return {
      path: saved.path,
      baseline: saved.baseline,
      mismatch: fingerprintMismatch(saved.baseline.environment, environment),
      stale: workloadHash !== null && saved.baseline.workloadHash !== workloadHash,
    };
  }
  const s = saved.report.scenarios.find((x) => x.name === scenario);
  if (!s || s.failure) return null;
  const metrics: Baseline['metrics'] = {};
  for (const m of s.metrics) if (m.samples.length > 0) metrics[m.name] = { unit: m.unit, better: m.better, samples: m.samples };
  return {
    path: saved.path,
    baseline: {
      schemaVersion: 1,
      scenario,
      workloadHash: workloadHash ?? '',
      machine: 'report',
      metrics,
      environment: saved.report.environment,
      provenance: { commit: null, time: saved.report.startedAt, reason: `report ${saved.report.runId}`, kdeltaVersion: saved.report.kdeltaVersion },
    },
    mismatch: fingerprintMismatch(saved.report.environment, environment),
    stale: false,
  };
}
