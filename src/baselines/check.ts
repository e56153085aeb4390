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

/**
 * The baseline with every metric the scenario also has in that metric's unit: commensurable
 * units (ns/us/ms/s, B/KiB/MiB, per-second rates) are converted, anything else is exit 2
 * naming the file, the metric, the field and the fix; so is a flipped `better`, and a
 * baseline whose `scenario` field names another scenario.
 */
export function reconcileBaseline(match: BaselineMatch | null, scenario: { name: string; file?: string }, metrics: readonly MetricShape[]): BaselineMatch | null {
  if (!match) return null;
  const { baseline, path } = match;
  const scenarioFile = scenario.file;
  checkScenarioName(path, baseline, scenario.name, scenarioFile);
  let converted: Baseline['metrics'] | undefined;
  for (const current of metrics) {
    const stored = Object.hasOwn(baseline.metrics, current.name) ? baseline.metrics[current.name] : undefined;
    if (!stored) continue;
    const where = (key: string): { file: string; line?: number; column?: number; fix: string } => ({
      file: path,
      ...positionOf(path, key, current.name),
      fix: updateFix(scenarioFile, baseline.scenario),
    });
    if (stored.better !== current.better) {
      throw new InputError(`baseline metric ${current.name}: field "better" is "${stored.better}", but the scenario measures it as better ${current.better}`, where('better'));
    }
    if (stored.unit === current.unit) continue;
    const factor = unitFactor(stored.unit, current.unit);
    if (factor === undefined) {
      throw new InputError(`baseline metric ${current.name}: field "unit" is "${stored.unit}", which cannot be converted to the scenario's "${current.unit}"`, where('unit'));
    }
    converted ??= { ...baseline.metrics };
    converted[current.name] = { ...stored, unit: current.unit, samples: stored.samples.map((v) => v * factor) };
  }
  return converted ? { ...match, baseline: { ...baseline, metrics: converted } } : match;
}
