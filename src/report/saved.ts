import type { Baseline, BaselineMatch } from '../baselines/types.js';
import { parseBaselineText } from '../baselines/parse.js';
import { fingerprintMismatch } from '../environment/fingerprint.js';
import type { Fingerprint } from '../environment/types.js';
import { InputError } from '../errors.js';
import type { Metric } from '../metrics/types.js';
import type { ScenarioRun } from '../run/types.js';
import { loadScenarios } from '../scenario/load.js';
import type { GateSpec, Scenario } from '../scenario/types.js';
import { unfoldReport, type StoredReport } from './compact.js';
import { validateReport } from './schema.js';
import type { Report, ScenarioReport } from './types.js';
import { readRegularFile } from '../safe-fs.js';

/*
 * Saved results as the base or the subject of a comparison: `kdelta compare` and
 * `baseline update --from` read a baseline or a report.json, and a report's scenarios are
 * turned back into what running them produced.
 */

/** A saved file `kdelta compare` and `baseline update --from` read: a baseline, or the report of a run. */
export type SavedResult = { kind: 'baseline'; path: string; baseline: Baseline } | { kind: 'report'; path: string; report: Report };

const WHAT = 'pass a baseline (baselines/<machine>/<scenario>.json) or a report.json written by kdelta run';

/**
 * Reads a baseline file or a report.json. A JSON object with `runId` and `scenarios` is a
 * report and is validated against the report schema; anything else is read as a baseline
 * and validated against the baseline schema. Every problem (absent, unreadable, not JSON,
 * invalid) is an InputError (exit 2) naming the file; the file is never written.
 */
export async function readBaselineOrReport(path: string): Promise<SavedResult> {
  let text: string;
  try {
    text = await readRegularFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, { file: path, fix: WHAT });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: path, fix: WHAT });
  }
  const isReport = parsed !== null && typeof parsed === 'object' && 'runId' in parsed && 'scenarios' in parsed;
  if (!isReport) return { kind: 'baseline', path, baseline: parseBaselineText(text, path) };
  const result = validateReport(parsed);
  if (!result.ok) {
    const more = result.errors.length > 5 ? ` (and ${result.errors.length - 5} more)` : '';
    throw new InputError(`report does not match schemas/report.schema.json: ${result.errors.slice(0, 5).join('; ')}${more}`, { file: path, fix: WHAT });
  }
  // Validated against the schema the stored form is checked against (schema.ts).
  return { kind: 'report', path, report: unfoldReport(parsed as StoredReport) };
}

/**
 * One scenario's samples per metric from either kind of file (a report's scenario must be
 * named when the report has several). InputError naming the file when it is not there.
 */
export function samplesOf(source: SavedResult, scenario?: string): Baseline['metrics'] {
  if (source.kind === 'baseline') {
    if (scenario !== undefined && source.baseline.scenario !== scenario) {
      throw new InputError(`baseline is for scenario "${source.baseline.scenario}", not "${scenario}"`, { file: source.path });
    }
    return source.baseline.metrics;
  }
  const names = source.report.scenarios.map((s) => s.name);
  const chosen =
    scenario !== undefined ? source.report.scenarios.find((s) => s.name === scenario) : names.length === 1 ? source.report.scenarios[0] : undefined;
  if (!chosen) {
    const why = scenario !== undefined ? `has no scenario "${scenario}"` : `has ${names.length} scenarios`;
    throw new InputError(`report ${why} (it has: ${names.join(', ') || 'none'})`, { file: source.path, fix: 'name the scenario to compare' });
  }
  const metrics: Baseline['metrics'] = {};
  for (const m of chosen.metrics) if (m.samples.length > 0) metrics[m.name] = { unit: m.unit, better: m.better, samples: [...m.samples] };
  return metrics;
}

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
    ...(s.syscallEvents && { syscallEvents: s.syscallEvents }),
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
  // An A/B report's scenarios are its head side; the base side it was measured against is the baseline it offers.
  const ab = saved.report.ab !== undefined;
  const metrics: Baseline['metrics'] = {};
  for (const m of s.metrics) {
    const samples = ab ? (m.baseline?.samples ?? []) : m.samples;
    if (samples.length > 0) metrics[m.name] = { unit: m.unit, better: m.better, samples };
  }
  return {
    path: saved.path,
    baseline: {
      schemaVersion: 1,
      scenario,
      workloadHash: workloadHash ?? '',
      machine: ab ? 'report (base side of kdelta ab)' : 'report',
      metrics,
      environment: saved.report.environment,
      provenance: { commit: null, time: saved.report.startedAt, reason: `${ab ? 'base side of A/B report' : 'report'} ${saved.report.runId}`, kdeltaVersion: saved.report.kdeltaVersion },
    },
    mismatch: fingerprintMismatch(saved.report.environment, environment),
    stale: false,
  };
}
