import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { validateReport } from '../report/schema.js';
import type { Report } from '../report/types.js';
import { parseBaselineText } from './parse.js';
import type { Baseline } from './types.js';

/** A saved file `kdelta compare` and `baseline update --from` read: a baseline, or the report of a run. */
export type BaselineOrReport = { kind: 'baseline'; path: string; baseline: Baseline } | { kind: 'report'; path: string; report: Report };

const WHAT = 'pass a baseline (baselines/<machine>/<scenario>.json) or a report.json written by kdelta run';

/**
 * Reads a baseline file or a report.json. A JSON object with `runId` and `scenarios` is a
 * report and is validated against the report schema; anything else is read as a baseline
 * and validated against the baseline schema. Every problem (absent, unreadable, not JSON,
 * invalid) is an InputError (exit 2) naming the file; the file is never written.
 */
export async function readBaselineOrReport(path: string): Promise<BaselineOrReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
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
  // Validated against the schema the Report type is checked against (src/report/schema.ts).
  return { kind: 'report', path, report: parsed as Report };
}

/**
 * One scenario's samples per metric from either kind of file (a report's scenario must be
 * named when the report has several). InputError naming the file when it is not there.
 */
export function samplesOf(source: BaselineOrReport, scenario?: string): Baseline['metrics'] {
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
