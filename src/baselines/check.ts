import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../errors.js';
import type { Better } from '../metrics/types.js';
import { unitFactor } from '../metrics/units.js';
import type { Baseline, BaselineMatch } from './types.js';

/*
 * A baseline is checked against the scenario it is used for before a verdict reads it: a
 * baseline recorded in ms against a run in s would read as a 99.9% improvement, and one of
 * another scenario or with the direction flipped would judge the wrong thing silently.
 */

/** What a scenario's metric is, as the run (or the scenario file) says. */
export interface MetricShape {
  name: string;
  unit: string;
  better: Better;
}

/** The command that replaces a baseline which no longer fits its scenario. */
export function updateFix(scenarioFile: string | undefined, scenario: string): string {
  return `record a new baseline for it: kdelta baseline update ${scenarioFile ?? 'scenarios/'} --scenario ${scenario} (or restore the file from git if it was edited by hand)`;
}

/**
 * 1-based line and column of `"key":` in a baseline file, inside the entry of `metric` when
 * given; undefined when the file is not the pretty JSON kdelta writes (a report.json).
 */
export function positionOf(path: string, key: string, metric?: string): { line: number; column: number } | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    const text = readFileSync(path, 'utf8');
    const from = metric === undefined ? 0 : text.indexOf(`${JSON.stringify(metric)}: {`);
    if (from < 0) return undefined;
    const at = text.indexOf(`${JSON.stringify(key)}:`, from);
    if (at < 0) return undefined;
    const before = text.slice(0, at).split('\n');
    return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
  } catch {
    return undefined;
  }
}

/** Exit 2 when the baseline's `scenario` field names another scenario than the one it is used for. */
export function checkScenarioName(path: string, baseline: Baseline, scenario: string, scenarioFile?: string): void {
  if (baseline.scenario === scenario) return;
  throw new InputError(`baseline field "scenario" is "${baseline.scenario}", but it is used for scenario "${scenario}"`, {
    file: path,
    ...positionOf(path, 'scenario'),
    fix: updateFix(scenarioFile, scenario),
  });
}

type Stored = Baseline['metrics'][string];

/** One stored metric in the current metric's unit, or exit 2 naming the file, the metric, the field and the fix. */
function reconcileMetric(match: BaselineMatch, current: MetricShape, stored: Stored, scenarioFile: string | undefined): Stored {
  const where = (key: string): { file: string; line?: number; column?: number; fix: string } => ({
    file: match.path,
    ...positionOf(match.path, key, current.name),
    fix: updateFix(scenarioFile, match.baseline.scenario),
  });
  if (stored.better !== current.better) {
    throw new InputError(`baseline metric ${current.name}: field "better" is "${stored.better}", but the scenario measures it as better ${current.better}`, where('better'));
  }
  if (stored.unit === current.unit) return stored;
  const factor = unitFactor(stored.unit, current.unit);
  if (factor === undefined) {
    throw new InputError(`baseline metric ${current.name}: field "unit" is "${stored.unit}", which cannot be converted to the scenario's "${current.unit}"`, where('unit'));
  }
  return { ...stored, unit: current.unit, samples: stored.samples.map((v) => v * factor) };
}

function storedOf(baseline: Baseline, name: string): Stored | undefined {
  return Object.hasOwn(baseline.metrics, name) ? baseline.metrics[name] : undefined;
}

/**
 * The baseline with every metric the scenario also has in that metric's unit: commensurable
 * units (ns/us/ms/s, B/KiB/MiB, per-second rates) are converted, anything else is exit 2
 * naming the file, the metric, the field and the fix; so is a flipped `better`, and a
 * baseline whose `scenario` field names another scenario.
 */
export function reconcileBaseline(match: BaselineMatch | null, scenario: { name: string; file?: string }, metrics: readonly MetricShape[]): BaselineMatch | null {
  if (!match) return null;
  checkScenarioName(match.path, match.baseline, scenario.name, scenario.file);
  let converted: Baseline['metrics'] | undefined;
  for (const current of metrics) {
    const stored = storedOf(match.baseline, current.name);
    if (!stored) continue;
    const next = reconcileMetric(match, current, stored, scenario.file);
    if (next === stored) continue;
    converted ??= { ...match.baseline.metrics };
    converted[current.name] = next;
  }
  return converted ? { ...match, baseline: { ...match.baseline, metrics: converted } } : match;
}

/** A baseline metric that does not fit what the run measured, as data for the report. */
export interface BaselineProblem {
  metric: string;
  message: string;
  file: string;
  line?: number;
  column?: number;
  fix: string;
}

/**
 * After measuring, the units and directions the scenario file did not declare are known. A
 * metric whose baseline does not fit them is taken out of the baseline and returned as a
 * problem (the run reports it and exits 2) instead of throwing the measured data away; the
 * other metrics are compared as usual.
 */
export function reconcileMeasured(match: BaselineMatch | null, scenario: { name: string; file?: string }, metrics: readonly MetricShape[]): { match: BaselineMatch | null; problems: BaselineProblem[] } {
  if (!match) return { match, problems: [] };
  const problems: BaselineProblem[] = [];
  const fitting = metrics.filter((current) => {
    const stored = storedOf(match.baseline, current.name);
    if (!stored) return true;
    try {
      reconcileMetric(match, current, stored, scenario.file);
      return true;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push({ metric: current.name, message: err.message, file: match.path, ...(err.line !== undefined && { line: err.line }), ...(err.column !== undefined && { column: err.column }), fix: err.fix ?? '' });
      return false;
    }
  });
  if (problems.length === 0) return { match: reconcileBaseline(match, scenario, metrics), problems };
  const metricsLeft = Object.fromEntries(Object.entries(match.baseline.metrics).filter(([name]) => !problems.some((p) => p.metric === name)));
  const rest = { ...match, baseline: { ...match.baseline, metrics: metricsLeft } };
  return { match: reconcileBaseline(rest, scenario, fitting), problems };
}
