import { resolve } from 'node:path';
import { findBaselines, storeBaselines } from '../baselines/find.js';
import { checkBaselinesWritable } from '../baselines/store.js';
import { readBaselineOrReport } from '../report/saved.js';
import type { Fingerprint } from '../environment/types.js';
import { gitCommit, machineName, probeForRun } from '../environment/machine.js';
import { EXIT, InputError } from '../errors.js';
import type { Io } from '../io.js';
import { describeUpdate } from '../report/baseline-diff.js';
import { interruptedExitCode } from '../io.js';
import { progressFor } from '../run/progress.js';
import { newRunId } from '../run/run-id.js';
import { runFromReport } from '../report/saved.js';
import { captureDoubt } from '../run/doubts.js';
import { runScenarios } from '../run/scenarios.js';
import { selectScenarios } from '../run/select.js';
import type { ScenarioRun } from '../run/types.js';
import type { Scenario } from '../scenario/types.js';
import { environmentExitCode, realRunnerDeps } from './run.js';

export interface BaselineUpdateOptions {
  paths: string[];
  from?: string;
  reason?: string;
  baselines: string;
  machine?: string;
  repetitions?: number;
  warmup?: number;
  scenario: string[];
  /** Store runs whose samples are in doubt too (a cut stdout, a process outside the cgroup, a full capture map). */
  force?: boolean;
}

interface Target {
  dir: string;
  machine: string;
  environment: Fingerprint;
  reason: string;
  force: boolean;
}

async function store(runs: ScenarioRun[], t: Target, io: Io): Promise<void> {
  await storeBaselines(runs, { ...t, commit: await gitCommit(io.env, io.cwd), describe: (old, next, gate) => describeUpdate(old, next, { gate }) }, (text) => io.stderr.write(text));
}

/** Baselines from a saved report: each scenario's samples as that report has them. */
async function updateFromReport(scenarios: Scenario[], from: string, o: BaselineUpdateOptions, dir: string, reason: string, io: Io): Promise<number> {
  const saved = await readBaselineOrReport(resolve(io.cwd, from));
  if (saved.kind !== 'report') throw new InputError('--from takes a report.json written by kdelta run', { file: saved.path });
  const fp = saved.report.environment;
  const machine = machineName(o.machine, io.env, fp);
  await findBaselines(scenarios, dir, machine, fp, { replacing: true });
  await checkBaselinesWritable(dir, machine);
  const runs: ScenarioRun[] = [];
  for (const scenario of scenarios) {
    const s = saved.report.scenarios.find((x) => x.name === scenario.name);
    if (!s) {
      io.stderr.write(`kdelta: ${scenario.name}: not in ${from}; its baseline is left as it is\n`);
      continue;
    }
    // A report keeps the capture's counted losses; cut output and escaped processes it keeps only in verdict words.
    const doubts = s.lost.flatMap((l) => captureDoubt(l.repetition, l.what, ['*']) ?? []);
    runs.push({ ...(await runFromReport(s)).run, scenario, doubts });
  }
  await store(runs, { dir, machine, environment: fp, reason, force: o.force ?? false }, io);
  return runs.length ? EXIT.ok : EXIT.badInput;
}

/**
 * `kdelta baseline update`: records new baselines, from a fresh run or from a saved report,
 * and prints per scenario how they differ from the old ones, so a reviewer sees what they accept.
 */
export async function baselineUpdateCommand(o: BaselineUpdateOptions, io: Io): Promise<number> {
  const progress = progressFor(io);
  try {
    const scenarios = await selectScenarios(o.paths, o.scenario, io);
    const dir = resolve(io.cwd, o.baselines);
    const reason = o.reason ?? (o.from ? `from ${o.from}` : 'kdelta baseline update');
    if (o.from) return await updateFromReport(scenarios, o.from, o, dir, reason, io);
    const runId = newRunId(new Date());
    const { facts, fp } = await probeForRun(scenarios.some((s) => s.collect.ebpf !== false), progress);
    const machine = machineName(o.machine, io.env, fp);
    await findBaselines(scenarios, dir, machine, fp, { replacing: true });
    await checkBaselinesWritable(dir, machine);
    const runOptions = { facts, runId, signal: io.signal, progress, ...(o.repetitions !== undefined && { repetitions: o.repetitions }), ...(o.warmup !== undefined && { warmup: o.warmup }) };
    const runs = await runScenarios(scenarios, runOptions, realRunnerDeps());
    if (io.signal.aborted) return interruptedExitCode(io.signal);
    await store(runs, { dir, machine, environment: fp, reason, force: o.force ?? false }, io);
    return environmentExitCode(runs, io) ?? (runs.some((r) => r.failure) ? EXIT.workloadFailed : EXIT.ok);
  } finally {
    progress.close();
  }
}
