import { resolve } from 'node:path';
import { findBaselines, storeBaselines } from '../baselines/find.js';
import { reconcileMeasured, type BaselineProblem } from '../baselines/check.js';
import { checkBaselinesWritable } from '../baselines/store.js';
import { COLLECTORS } from '../collect/registry.js';
import { gitCommit, machineName, probeForRun } from '../environment/machine.js';
import { EXIT, InputError } from '../errors.js';
import { interruptedExitCode, type Io } from '../io.js';
import { describeUpdate } from '../report/baseline-diff.js';
import { buildReport, evaluateRuns } from '../report/evaluate.js';
import { checkOutDir, publishReport, reportExitCode } from '../report/publish.js';
import { isAbortOf, untilAborted } from '../run/abort.js';
import { kernelCgroups } from '../run/cgroups.js';
import { lostRequiredCollector } from '../run/collectors.js';
import { progressFor } from '../run/progress.js';
import { newRunId, seedOf } from '../run/run-id.js';
import { runScenarios } from '../run/scenarios.js';
import { selectScenarios } from '../run/select.js';
import type { RunnerDeps, ScenarioRun } from '../run/types.js';
import { parseShard, selectShard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';
import type { Report } from '../report/types.js';
import { prepareWorkload } from '../workload/prepare.js';

export interface RunCommandOptions {
  paths: string[];
  out?: string;
  /** Indented report.json. */
  pretty?: boolean;
  baselines: string;
  machine?: string;
  repetitions?: number;
  warmup?: number;
  scenario: string[];
  updateBaselines?: boolean;
  reason?: string;
  /** `--shard i/N`: only this stable share of the scenarios. */
  shard?: string;
  /** Called with the written report and its folder (`--history STORE` keeps it there). */
  afterReport?: (report: Report, dir: string) => Promise<void>;
}

/** The real side effects of running scenarios: the kernel's cgroups, the /proc and eBPF collectors, real workloads. */
export function realRunnerDeps(): RunnerDeps {
  return { collectors: COLLECTORS, prepareWorkload, cgroups: kernelCgroups, pid: process.pid };
}

/**
 * A required collector that stopped mid-run makes it exit 3 (after the reports are written):
 * the gate could not see what the scenario said it must.
 */
export function environmentExitCode(runs: ScenarioRun[], io: Io): number | null {
  let code: number | null = null;
  for (const run of runs) {
    const lost = lostRequiredCollector(run);
    if (!lost || lost.availability.state !== 'unavailable') continue;
    io.stderr.write(`kdelta: ${run.scenario.file}: ${run.scenario.name} requires the ${lost.name} collector, which stopped during the run: ${lost.availability.reason}\n`);
    code = EXIT.environment;
  }
  return code;
}

/**
 * A baseline metric whose unit or direction does not fit what was measured is bad input (exit
 * 2), found only once measured: the reports are written first, with that check failed.
 */
function inputExitCode(problems: BaselineProblem[], io: Io): number | null {
  for (const p of problems) {
    const at = p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
    io.stderr.write(`kdelta: ${at}: ${p.message}\n${p.fix ? `  fix: ${p.fix}\n` : ''}`);
  }
  return problems.length > 0 ? EXIT.badInput : null;
}

/** `kdelta run`: the main job. `deps` are the real collectors and workloads unless a test hands in fakes. */
export async function runCommand(o: RunCommandOptions, io: Io, deps: RunnerDeps = realRunnerDeps()): Promise<number> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const progress = progressFor(io);
  try {
    // Loading, the checks and the machine probe are left at the first SIGINT/SIGTERM: nothing is measured yet.
    const ready = await untilAborted(beforeMeasuring(o, io, progress), io.signal).catch((err: unknown) => {
      if (isAbortOf(err, io.signal)) return null;
      throw err;
    });
    if (!ready) {
      io.stderr.write(`kdelta: interrupted before anything was measured; no reports written\n`);
      return interruptedExitCode(io.signal);
    }
    const { scenarios, facts, fp, machine, baselinesDir, baselines } = ready;
    const runOptions = { facts, runId, signal: io.signal, progress, ...(o.repetitions !== undefined && { repetitions: o.repetitions }), ...(o.warmup !== undefined && { warmup: o.warmup }) };
    const runs = await runScenarios(scenarios, runOptions, deps);
    // Units and directions the file did not declare are known once measured: checked (and
    // converted) here; a baseline metric that does not fit is reported, and the run exits 2.
    const judged = runs.map((run) => {
      const { match, problems } = reconcileMeasured(baselines.get(run.scenario.name) ?? null, run.scenario, run.metrics);
      return { run, baseline: match, problems };
    });
    const { scenarios: reports, family } = evaluateRuns(judged, seedOf(runId));
    const report = buildReport(runId, startedAt, fp, reports, family);
    const dir = await publishReport(report, o.out, io, o.pretty ?? false);
    await o.afterReport?.(report, dir);
    if (o.updateBaselines && !io.signal.aborted) {
      const reason = o.reason ?? 'kdelta run --update-baselines';
      await storeBaselines(runs, { dir: baselinesDir, machine, environment: fp, reason, commit: await gitCommit(io.env, io.cwd), describe: (old, next, gate) => describeUpdate(old, next, { gate }) }, (text) => io.stderr.write(text));
    }
    if (io.signal.aborted) return reportExitCode(report, io.signal);
    return inputExitCode(judged.flatMap((j) => j.problems), io) ?? environmentExitCode(runs, io) ?? reportExitCode(report, io.signal);
  } finally {
    progress.close();
  }
}

/** What the run needs before its first measurement: the scenarios, a writable out folder, the machine, the baselines. */
async function beforeMeasuring(o: RunCommandOptions, io: Io, progress: ReturnType<typeof progressFor>) {
  const scenarios = shardOf(await selectScenarios(o.paths, o.scenario, io), o.shard);
  await checkOutDir(o.out, io);
  const { facts, fp } = await probeForRun(scenarios.some((s) => s.collect.ebpf !== false), progress);
  const machine = machineName(o.machine, io.env, fp);
  const baselinesDir = resolve(io.cwd, o.baselines);
  const baselines = await findBaselines(scenarios, baselinesDir, machine, fp);
  if (o.updateBaselines) await checkBaselinesWritable(baselinesDir, machine);
  return { scenarios, facts, fp, machine, baselinesDir, baselines };
}

/** `--shard i/N`: the scenarios of shard i, by name hash; an empty shard is fine (more shards than scenarios). */
function shardOf(scenarios: Scenario[], text: string | undefined): Scenario[] {
  if (text === undefined) return scenarios;
  const shard = parseShard(text);
  if (!shard) throw new InputError(`--shard ${text} is not of the form i/N`, { fix: 'e.g. --shard 2/3 (1 <= i <= N)' });
  const names = new Set(selectShard(scenarios.map((s) => s.name), shard.index, shard.count));
  return scenarios.filter((s) => names.has(s.name));
}
