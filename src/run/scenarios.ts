import type { MachineFacts } from '../environment/types.js';
import type { Scenario } from '../scenario/types.js';
import { sweepOrphanCgroups } from './cgroups.js';
import { checkRequiredCollectors } from './collectors.js';
import type { Progress } from './progress.js';
import { runScenario } from './runner.js';
import type { RunnerDeps, ScenarioRun } from './types.js';

export interface RunScenariosOptions {
  facts: MachineFacts;
  runId: string;
  repetitions?: number;
  warmup?: number;
  signal: AbortSignal;
  progress: Progress;
}

/**
 * Runs the scenarios in order; a failed workload stops its scenario, the others still run.
 * A collector a scenario requires but this machine lacks stops the run (exit 3) before any
 * scenario runs, and cgroups left by a killed kdelta are swept first.
 */
export async function runScenarios(scenarios: readonly Scenario[], o: RunScenariosOptions, deps: RunnerDeps): Promise<ScenarioRun[]> {
  const { facts, progress, signal } = o;
  for (const s of scenarios) checkRequiredCollectors(s, facts, deps.collectors);
  if (facts.isRoot && facts.cgroup2) {
    for (const dir of await sweepOrphanCgroups(facts.cgroup2)) progress.warn(`removed ${dir}, left by a kdelta that was killed`);
  }
  const runs: ScenarioRun[] = [];
  for (const scenario of scenarios) {
    if (signal.aborted) break;
    const opts = { facts, runId: o.runId, signal, progress, ...(o.repetitions !== undefined && { repetitions: o.repetitions }), ...(o.warmup !== undefined && { warmup: o.warmup }) };
    runs.push(await runScenario(scenario, opts, deps));
  }
  return runs;
}
