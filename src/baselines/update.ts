import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Fingerprint } from '../environment/types.js';
import type { Better, Metric } from '../metrics/types.js';
import type { Scenario } from '../scenario/types.js';
import { workloadHash } from './hash.js';
import type { Baseline } from './types.js';

export interface BaselineInput {
  scenario: string;
  workloadHash: string;
  machine: string;
  /** Metric or MetricReport objects: only name, unit, better and samples are read. */
  metrics: ReadonlyArray<{ name: string; unit: string; better: Better; samples: readonly number[] }>;
  environment: Fingerprint;
  provenance: Baseline['provenance'];
}

/** A baseline from a run's metrics. Metrics without samples (a collector that lost them) are left out. */
export function baselineFromMetrics(input: BaselineInput): Baseline {
  const metrics: Baseline['metrics'] = {};
  for (const m of input.metrics) {
    if (m.samples.length === 0 || !m.samples.every(Number.isFinite)) continue;
    metrics[m.name] = { unit: m.unit, better: m.better, samples: [...m.samples] };
  }
  return {
    schemaVersion: 1,
    scenario: input.scenario,
    workloadHash: input.workloadHash,
    machine: input.machine,
    metrics,
    environment: input.environment,
    provenance: input.provenance,
  };
}

/** package.json's version; src/baselines and dist/baselines are both two levels below it. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * The baseline a finished scenario run becomes: its metrics, the hash of its workload
 * (relative to the scenario file's folder, see workloadHash), and where and why it was
 * recorded. `time` defaults to now, `kdeltaVersion` to package.json's version.
 */
export function baselineFromRun(
  run: { scenario: Pick<Scenario, 'name' | 'file' | 'workload'>; metrics: readonly Metric[] },
  options: { machine: string; environment: Fingerprint; reason: string; commit: string | null; time?: string; kdeltaVersion?: string },
): Baseline {
  return baselineFromMetrics({
    scenario: run.scenario.name,
    workloadHash: workloadHash(run.scenario.workload, dirname(run.scenario.file)),
    machine: options.machine,
    metrics: run.metrics,
    environment: options.environment,
    provenance: {
      commit: options.commit,
      time: options.time ?? new Date().toISOString(),
      reason: options.reason,
      kdeltaVersion: options.kdeltaVersion ?? packageVersion(),
    },
  });
}
