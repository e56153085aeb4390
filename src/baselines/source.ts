import { readFile } from 'node:fs/promises';
import type { Fingerprint } from '../environment/types.js';
import { InputError } from '../errors.js';
import type { Better } from '../metrics/types.js';
import { validateReport } from '../report/schema.js';
import { parseBaselineText } from './store.js';
import type { Baseline } from './types.js';

/** One side of `kdelta compare`: samples per metric, from a baseline file or from one scenario of a report.json. */
export interface SampleSource {
  kind: 'baseline' | 'report';
  path: string;
  scenario: string;
  /** The baseline's machine class; null for a report (which records only the fingerprint). */
  machine: string | null;
  environment: Fingerprint;
  /** Baseline provenance time, or the report's start time. */
  recordedAt: string;
  metrics: Record<string, { unit: string; better: Better; samples: number[] }>;
  /** The parsed baseline, when kind is `baseline`. */
  baseline: Baseline | null;
}

/**
 * Reads a baseline file or a report.json for `kdelta compare A B`. A file with `runId` and
 * `scenarios` is a report: validated against the report schema, then the scenario named
 * `scenario` is taken (or the only one, when the report has one). Anything else is read as
 * a baseline. Every problem is an InputError (exit 2) naming the file.
 */
export async function readBaselineOrReport(path: string, scenario?: string): Promise<SampleSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'no such file' : `cannot read: ${(e as Error).message}`, 2, path, 'pass a baseline (baselines/<machine>/<scenario>.json) or a report.json');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, 2, path, 'pass a baseline (baselines/<machine>/<scenario>.json) or a report.json');
  }
  const isReport = parsed !== null && typeof parsed === 'object' && 'runId' in parsed && 'scenarios' in parsed;
  if (!isReport) {
    const baseline = parseBaselineText(text, path);
    if (scenario !== undefined && baseline.scenario !== scenario) {
      throw new InputError(`baseline is for scenario "${baseline.scenario}", not "${scenario}"`, 2, path);
    }
    return {
      kind: 'baseline',
      path,
      scenario: baseline.scenario,
      machine: baseline.machine,
      environment: baseline.environment,
      recordedAt: baseline.provenance.time,
      metrics: baseline.metrics,
      baseline,
    };
  }
  const result = validateReport(parsed);
  if (!result.ok) {
    const more = result.errors.length > 5 ? ` (and ${result.errors.length - 5} more)` : '';
    throw new InputError(`report does not match schemas/report.schema.json: ${result.errors.slice(0, 5).join('; ')}${more}`, 2, path);
  }
  const report = result.report;
  const names = report.scenarios.map((s) => s.name);
  const chosen = scenario !== undefined ? report.scenarios.find((s) => s.name === scenario) : report.scenarios.length === 1 ? report.scenarios[0] : undefined;
  if (!chosen) {
    const why = scenario !== undefined ? `has no scenario "${scenario}"` : `has ${names.length} scenarios`;
    throw new InputError(`report ${why} (it has: ${names.join(', ') || 'none'})`, 2, path, 'name the scenario to compare (--scenario NAME)');
  }
  const metrics: SampleSource['metrics'] = {};
  for (const m of chosen.metrics) {
    if (m.samples.length > 0) metrics[m.name] = { unit: m.unit, better: m.better, samples: [...m.samples] };
  }
  return {
    kind: 'report',
    path,
    scenario: chosen.name,
    machine: null,
    environment: report.environment,
    recordedAt: report.startedAt,
    metrics,
    baseline: null,
  };
}
