// Reports made the way kdelta run makes them (the real scenarios, the real engine), from
// samples the tests choose: the history and merge tests need many runs with known values.
import { resolve } from 'node:path';
import { mulberry32, standardNormal } from '../../src/compare/stats/prng.js';
import type { Fingerprint } from '../../src/environment/types.js';
import type { Report } from '../../src/report/types.js';
import { evaluateRuns, overallStatus, type BaselineMatch } from '../../src/report/evaluate.js';
import type { ScenarioRun } from '../../src/run/runner.js';
import { loadScenarios } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { repoRoot } from '../cli/support.js';

export const FINGERPRINT: Fingerprint = {
  arch: 'x86_64',
  cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
  cpuCount: 2,
  numaNodes: 1,
  smt: false,
  kernelRelease: '6.18.0',
  governor: null,
  bpftraceVersion: 'v0.17.0',
  irqAffinityDigest: '0123456789abcdef',
  nodeVersion: 'v20.20.2',
};

export async function shippedScenarios(): Promise<Scenario[]> {
  const { scenarios, problems } = await loadScenarios([resolve(repoRoot, 'scenarios')]);
  if (problems.length) throw new Error(`scenario problems: ${problems.length}`);
  return scenarios;
}

/** A scenario run whose every gated metric (and workload.wall_time) has the given samples. */
export function runOf(scenario: Scenario, samples: Record<string, number[]>): ScenarioRun {
  return {
    scenario,
    repetitions: Object.values(samples)[0]?.length ?? 0,
    warmup: 0,
    metrics: Object.entries(samples).map(([name, s]) => ({ name, unit: 'ns', better: name.endsWith('throughput') ? 'higher' : 'lower', samples: s })),
    collectors: [],
    isolation: { kind: 'none', reason: 'test' },
    lost: [],
    failure: null,
    irqTable: null,
  };
}

export function baselineOf(scenario: Scenario, samples: Record<string, number[]>): BaselineMatch {
  const metrics: Record<string, { unit: string; better: 'lower' | 'higher'; samples: number[] }> = {};
  for (const [name, s] of Object.entries(samples)) metrics[name] = { unit: 'ns', better: name.endsWith('throughput') ? 'higher' : 'lower', samples: s };
  return {
    path: `baselines/test/${scenario.name}.json`,
    baseline: { schemaVersion: 1, scenario: scenario.name, workloadHash: '', machine: 'test-machine', metrics, environment: FINGERPRINT, provenance: { commit: null, time: '2026-01-01T00:00:00.000Z', reason: 'test', kdeltaVersion: 'test' } },
    mismatch: [],
    stale: false,
  };
}

export function reportOf(runId: string, startedAt: string, runs: Array<{ run: ScenarioRun; baseline: BaselineMatch | null }>, seed = 1): Report {
  const { scenarios, family } = evaluateRuns(runs, seed);
  return { schemaVersion: 1, runId, startedAt, endedAt: startedAt, kdeltaVersion: 'kdelta test', environment: FINGERPRINT, status: overallStatus(scenarios), family, scenarios };
}

/** Noisy samples around `level`: `n` repetitions at relative noise `noise`. */
export function noisy(random: () => number, level: number, n: number, noise = 0.01): number[] {
  return Array.from({ length: n }, () => level * (1 + noise * standardNormal(random)));
}

/**
 * `count` nightly runs of two synthetic scenarios; `levelAt(i)` is the true wall time of run i
 * (a step in it is the change point to find). Run ids and commit times increase with i.
 */
export function nightlyReports(count: number, levelAt: (i: number) => number, seed = 7): Report[] {
  const random = mulberry32(seed);
  const reports: Report[] = [];
  for (let i = 0; i < count; i++) {
    const day = new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString();
    const run = (name: string, factor: number): ScenarioRun =>
      runOf(fakeScenario(name), { 'workload.wall_time': noisy(random, levelAt(i) * factor, 5), 'sched.ready_delay.p99': noisy(random, 2e5, 5) });
    reports.push(reportOf(`2026${String(i).padStart(4, '0')}-run`, day, [{ run: run('alpha', 1), baseline: null }, { run: run('beta<&>', 2), baseline: null }]));
  }
  return reports;
}

export function fakeScenario(name: string): Scenario {
  return {
    name,
    description: `synthetic ${name}`,
    file: `/nonexistent/${name}.yaml`,
    workload: { kind: 'command', argv: ['true'], env: {}, cwd: '.', timeoutMs: 0, metrics: [] },
    repetitions: 5,
    warmup: 0,
    collect: { proc: false, ebpf: false, require: [] },
    gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics: { 'workload.wall_time': { tolerance: 0.05, alpha: 0.05 } }, limits: [], requireSameMachine: false },
  };
}
