import { execa } from 'execa';
import { access, appendFile, constants, mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { baselineFromRun, baselinePath, describeUpdate, readBaseline, readBaselineOrReport, workloadHash, writeBaseline } from '../baselines/store.js';
import type { Baseline } from '../baselines/types.js';
import { fingerprint, fingerprintMismatch, machineSlug } from '../environment/fingerprint.js';
import { ensureTracefs, probeMachine } from '../environment/probe.js';
import type { Fingerprint, MachineFacts } from '../environment/types.js';
import { EXIT, InputError } from '../errors.js';
import type { Io } from '../io.js';
import { interruptedExitCode, useColor } from '../io.js';
import { renderConsoleSummary } from '../report/console.js';
import { publishToGithub } from '../report/github.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report, ScenarioReport } from '../report/types.js';
import { writeFileAtomic, writeReports } from '../report/write.js';
import { formatProblem, loadScenarios } from '../scenario/load.js';
import { parseShard, selectShard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';
import { VERSION_TEXT } from '../version.js';
import { evaluateRuns, overallStatus, type BaselineMatch } from './evaluate.js';
import { createProgress, type Progress } from './progress.js';
import { checkRequiredCollectors, runScenario, sweepOrphanCgroups, type ScenarioRun } from './runner.js';
import { baselineFromSaved, runFromReport } from './saved.js';

export interface RunCommandOptions {
  paths: string[];
  out?: string;
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

/** A run id that sorts by time and names a folder: 20261121T225300Z-1a2b. */
function newRunId(now: Date): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid.toString(36)}`;
}

async function loadOrFail(paths: string[], only: string[], io: Io): Promise<Scenario[]> {
  const { scenarios, problems } = await loadScenarios(paths.map((p) => resolve(io.cwd, p)));
  if (problems.length) {
    for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
    throw new InputError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in scenario files`, { fix: 'run `kdelta validate` and fix what it lists' });
  }
  const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length) {
    throw new InputError(`no scenario named ${unknown.join(', ')} in ${paths.join(' ')}`, { fix: `known: ${scenarios.map((s) => s.name).join(', ')}` });
  }
  const picked = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  if (picked.length === 0) throw new InputError(`no scenario files in ${paths.join(' ')}`, { fix: 'name a scenario file or a folder with *.yaml files' });
  return picked;
}

/** Probes the machine once; mounts tracefs when an eBPF capture wants it and we may. */
async function machineFor(scenarios: Scenario[], progress: Progress): Promise<{ facts: MachineFacts; fp: Fingerprint }> {
  let facts = await probeMachine();
  if (facts.isRoot && !facts.tracefs && scenarios.some((s) => s.collect.ebpf !== false)) {
    const fixed = await ensureTracefs(facts);
    if (fixed.mounted) {
      progress.info(`mounted tracefs at ${fixed.path ?? '/sys/kernel/tracing'} for the eBPF capture`);
      facts = await probeMachine();
    } else if (fixed.error) progress.warn(`could not mount tracefs: ${fixed.error}`);
  }
  return { facts, fp: await fingerprint(facts) };
}

function machineName(option: string | undefined, io: Io, fp: Fingerprint): string {
  const name = option ?? io.env['KDELTA_MACHINE'] ?? machineSlug(fp);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new InputError(`machine name "${name}" cannot be a folder name`, { fix: 'use letters, digits, ".", "_" and "-"' });
  }
  return name;
}

/** Reads every scenario's baseline before anything runs, so a corrupt one fails fast (exit 2) and is never overwritten. */
async function findBaselines(scenarios: Scenario[], dir: string, machine: string, fp: Fingerprint): Promise<Map<string, BaselineMatch | null>> {
  const found = new Map<string, BaselineMatch | null>();
  for (const s of scenarios) {
    const path = baselinePath(dir, machine, s.name);
    const baseline = await readBaseline(path);
    const mismatch = baseline ? fingerprintMismatch(baseline.environment, fp) : [];
    if (baseline && mismatch.length && s.gate.requireSameMachine) {
      throw new InputError(`the baseline of ${s.name} was recorded on another machine class (${mismatch.join(', ')}) and gate.require_same_machine is true`, { file: path, fix: 'record a baseline on this machine class (kdelta baseline update --machine NAME), or set gate.require_same_machine: false' });
    }
    found.set(
      s.name,
      baseline && {
        path,
        baseline,
        mismatch,
        stale: baseline.workloadHash !== workloadHash(s.workload, dirname(s.file)),
      },
    );
  }
  return found;
}

function progressFor(io: Io): Progress {
  return createProgress({
    write: (text) => io.stderr.write(text),
    isTTY: io.isTTY,
    color: useColor(io),
    githubActions: io.env['GITHUB_ACTIONS'] === 'true',
  });
}

/** Runs the scenarios; a failed workload stops its scenario, the others still run. */
async function runAll(scenarios: Scenario[], facts: MachineFacts, runId: string, o: { repetitions?: number; warmup?: number }, io: Io, progress: Progress): Promise<ScenarioRun[]> {
  for (const s of scenarios) checkRequiredCollectors(s, facts);
  if (facts.isRoot && facts.cgroup2) {
    for (const dir of await sweepOrphanCgroups(facts.cgroup2)) progress.warn(`removed ${dir}, left by a kdelta that was killed`);
  }
  const runs: ScenarioRun[] = [];
  for (const scenario of scenarios) {
    if (io.signal.aborted) break;
    const opts = { facts, runId, signal: io.signal, progress, ...(o.repetitions !== undefined && { repetitions: o.repetitions }), ...(o.warmup !== undefined && { warmup: o.warmup }) };
    runs.push(await runScenario(scenario, opts));
  }
  return runs;
}

/**
 * Makes sure the reports can be written before anything runs: a --out that is a file, or a
 * folder kdelta may not write, is bad input (exit 2), not an error after the whole run.
 */
async function checkOutDir(outDir: string | undefined, io: Io): Promise<void> {
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports');
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new InputError(`cannot write reports into ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { fix: outDir ? 'give --out a folder kdelta can create or write' : 'run kdelta where it can write reports/, or pass --out DIR' });
  }
}

async function publish(report: Report, outDir: string | undefined, io: Io, runId: string): Promise<string> {
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports', runId);
  const written = await writeReports(report, outDir ? { dir } : { dir, latestLink: resolve(io.cwd, 'reports', 'latest') });
  await writeFileAtomic(join(dir, 'comment.md'), renderMarkdown(report, { variant: 'comment' }));
  await publishToGithub(report, {
    env: io.env,
    writeLine: (line) => io.stdout.write(line + '\n'),
    appendFile: (path, text) => appendFile(path, text),
  });
  io.stderr.write(renderConsoleSummary(report, { color: useColor(io), written }));
  io.stdout.write(`${written.json}\n${written.junit}\n${written.markdown}\n`);
  return dir;
}

function exitCodeOf(report: Report, io: Io): number {
  if (io.signal.aborted) return interruptedExitCode(io.signal);
  if (report.status === 'error') return EXIT.workloadFailed;
  if (report.status === 'regression') return EXIT.regression;
  return EXIT.ok;
}

function buildReport(runId: string, startedAt: Date, fp: Fingerprint, scenarios: ScenarioReport[], family: Report['family']): Report {
  return {
    schemaVersion: 1,
    runId,
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    kdeltaVersion: VERSION_TEXT,
    environment: fp,
    status: overallStatus(scenarios),
    family,
    scenarios,
  };
}

async function storeBaselines(runs: ScenarioRun[], dir: string, machine: string, fp: Fingerprint, reason: string, io: Io): Promise<void> {
  const commit = await gitCommit(io);
  for (const run of runs) {
    if (run.failure) {
      io.stderr.write(`kdelta: ${run.scenario.name}: not updating its baseline: the workload failed\n`);
      continue;
    }
    const path = baselinePath(dir, machine, run.scenario.name);
    const old = await readBaseline(path);
    const next: Baseline = baselineFromRun(run, { machine, environment: fp, reason, commit });
    io.stderr.write(describeUpdate(old, next, { gate: run.scenario.gate }));
    await writeBaseline(path, next);
    io.stderr.write(`kdelta: wrote ${path}\n`);
  }
}

/** The commit of the code under test: CI's variable when set, else the checkout kdelta runs in, else unknown. */
async function gitCommit(io: Io): Promise<string | null> {
  const fromEnv = io.env['KDELTA_COMMIT'] ?? io.env['GITHUB_SHA'];
  if (fromEnv) return fromEnv;
  const git = await execa('git', ['rev-parse', 'HEAD'], { cwd: io.cwd, reject: false, timeout: 5000 });
  return git.exitCode === 0 && /^[0-9a-f]{40}$/.test(git.stdout.trim()) ? git.stdout.trim() : null;
}

/** `kdelta run`: the main job. */
export async function runCommand(o: RunCommandOptions, io: Io): Promise<number> {
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const progress = progressFor(io);
  try {
    const scenarios = shardOf(await loadOrFail(o.paths, o.scenario, io), o.shard);
    await checkOutDir(o.out, io);
    const { facts, fp } = await machineFor(scenarios, progress);
    const machine = machineName(o.machine, io, fp);
    const baselinesDir = resolve(io.cwd, o.baselines);
    const baselines = await findBaselines(scenarios, baselinesDir, machine, fp);
    const runs = await runAll(scenarios, facts, runId, o, io, progress);
    const { scenarios: reports, family } = evaluateRuns(runs.map((run) => ({ run, baseline: baselines.get(run.scenario.name) ?? null })), seedOf(runId));
    const report = buildReport(runId, startedAt, fp, reports, family);
    const dir = await publish(report, o.out, io, runId);
    await o.afterReport?.(report, dir);
    if (o.updateBaselines && !io.signal.aborted) await storeBaselines(runs, baselinesDir, machine, fp, o.reason ?? 'kdelta run --update-baselines', io);
    return exitCodeOf(report, io);
  } finally {
    progress.close();
  }
}

/** `--shard i/N`: the scenarios of shard i, by name hash; an empty shard is fine (more shards than scenarios). */
function shardOf(scenarios: Scenario[], text: string | undefined): Scenario[] {
  if (text === undefined) return scenarios;
  const shard = parseShard(text);
  if (!shard) throw new InputError(`--shard ${text} is not of the form i/N`, { fix: 'e.g. --shard 2/3 (1 <= i <= N)' });
  const names = new Set(selectShard(scenarios.map((s) => s.name), shard.index, shard.count));
  return scenarios.filter((s) => names.has(s.name));
}

/** The bootstrap seed: fixed per run id, so a report can be recomputed exactly. */
function seedOf(runId: string): number {
  let h = 2166136261;
  for (const ch of runId) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

/** `kdelta compare A B`: the same engine on two saved files. */
export async function compareCommand(o: { base: string; current: string; out?: string }, io: Io): Promise<number> {
  const currentPath = resolve(io.cwd, o.current);
  const current = await readBaselineOrReport(currentPath);
  if (current.kind !== 'report') throw new InputError('the second file must be a report.json written by kdelta run', { file: currentPath });
  const base = await readBaselineOrReport(resolve(io.cwd, o.base));
  await checkOutDir(o.out, io);
  const env = current.report.environment;
  const runs = [];
  for (const s of current.report.scenarios) {
    const { run, fromFile } = await runFromReport(s);
    const hash = fromFile ? workloadHash(run.scenario.workload, dirname(run.scenario.file)) : null;
    runs.push({ run, baseline: baselineFromSaved(base, s.name, hash, env) });
  }
  const startedAt = new Date();
  const runId = newRunId(startedAt);
  const { scenarios, family } = evaluateRuns(runs, seedOf(runId));
  const report = buildReport(runId, startedAt, env, scenarios, family);
  await publish(report, o.out, io, runId);
  return exitCodeOf(report, io);
}

export interface BaselineUpdateOptions {
  paths: string[];
  from?: string;
  reason?: string;
  baselines: string;
  machine?: string;
  repetitions?: number;
  warmup?: number;
  scenario: string[];
}

/**
 * `kdelta baseline update`: records new baselines, from a fresh run or from a saved report,
 * and prints per scenario how they differ from the old ones, so a reviewer sees what they accept.
 */
export async function baselineUpdateCommand(o: BaselineUpdateOptions, io: Io): Promise<number> {
  const progress = progressFor(io);
  try {
    const scenarios = await loadOrFail(o.paths, o.scenario, io);
    const baselinesDir = resolve(io.cwd, o.baselines);
    const reason = o.reason ?? (o.from ? `from ${o.from}` : 'kdelta baseline update');
    if (o.from) {
      const saved = await readBaselineOrReport(resolve(io.cwd, o.from));
      if (saved.kind !== 'report') throw new InputError('--from takes a report.json written by kdelta run', { file: saved.path });
      const fp = saved.report.environment;
      const machine = machineName(o.machine, io, fp);
      await findBaselines(scenarios, baselinesDir, machine, fp);
      const runs: ScenarioRun[] = [];
      for (const scenario of scenarios) {
        const s = saved.report.scenarios.find((x) => x.name === scenario.name);
        if (!s) {
          io.stderr.write(`kdelta: ${scenario.name}: not in ${o.from}; its baseline is left as it is\n`);
          continue;
        }
        runs.push({ ...(await runFromReport(s)).run, scenario });
      }
      await storeBaselines(runs, baselinesDir, machine, fp, reason, io);
      return runs.length ? EXIT.ok : EXIT.badInput;
    }
    const startedAt = new Date();
    const runId = newRunId(startedAt);
    const { facts, fp } = await machineFor(scenarios, progress);
    const machine = machineName(o.machine, io, fp);
    await findBaselines(scenarios, baselinesDir, machine, fp);
    const runs = await runAll(scenarios, facts, runId, o, io, progress);
    if (io.signal.aborted) return interruptedExitCode(io.signal);
    await storeBaselines(runs, baselinesDir, machine, fp, reason, io);
    return runs.some((r) => r.failure) ? EXIT.workloadFailed : EXIT.ok;
  } finally {
    progress.close();
  }
}
