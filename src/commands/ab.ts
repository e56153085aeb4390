import { execa } from 'execa';
import { resolve } from 'node:path';
import type { PairedOptions } from '../compare/paired/compare.js';
import { abDecided } from '../compare/paired/evaluate.js';
import { mulberry32, seedFromString } from '../compare/stats/prng.js';
import { probeForRun } from '../environment/machine.js';
import { InputError, WorkloadError } from '../errors.js';
import { interruptedExitCode, type Io } from '../io.js';
import { buildReport } from '../report/evaluate.js';
import { evaluateAbRuns } from '../report/paired.js';
import { checkOutDir, publishReport, reportExitCode } from '../report/publish.js';
import type { AbReport, Report } from '../report/types.js';
import { isAbortOf, untilAborted } from '../run/abort.js';
import { runAbScenario, type AbPair, type AbScenarioRun } from '../run/ab.js';
import { sweepOrphanCgroups } from '../run/cgroups.js';
import { checkRequiredCollectors } from '../run/collectors.js';
import { progressFor, type Progress } from '../run/progress.js';
import { newRunId, seedOf } from '../run/run-id.js';
import { selectScenarios } from '../run/select.js';
import type { RunnerDeps } from '../run/types.js';
import type { Scenario } from '../scenario/types.js';
import { environmentExitCode, realRunnerDeps } from './run.js';

export interface AbCommandOptions {
  paths: string[];
  base?: string;
  head?: string;
  baseEnv: string[];
  headEnv: string[];
  prepare?: string;
  rounds?: { min: number; max: number };
  warmup?: number;
  out?: string;
  scenario: string[];
  seed?: number;
  test?: 'signed-rank' | 'bootstrap';
}

/** The rounds when neither `--rounds` nor the scenario says. */
export const DEFAULT_ROUNDS = { min: 5, max: 30 } as const;

/** `--rounds 5:30` (or one number: exactly that many rounds). The exact sequential design is built up to 50. */
export function parseRounds(text: string): { min: number; max: number } {
  const m = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  const min = Number(m?.[1]);
  const max = Number(m?.[2] ?? m?.[1]);
  if (!m || min < 5 || max < min || max > 50) {
    throw new InputError(`--rounds ${text}: expected MIN:MAX with 5 <= MIN <= MAX <= 50`, { fix: 'e.g. --rounds 5:30 (the signed-rank test cannot reach p < 0.05 in fewer than 5 rounds)' });
  }
  return { min, max };
}

function parseEnv(list: readonly string[], flag: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq < 1) throw new InputError(`${flag} ${item}: expected KEY=VALUE`, { fix: `e.g. ${flag} MALLOC_ARENA_MAX=2` });
    env[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return env;
}

/** Splits `--prepare "make -C src all"` into an argv: whitespace separates, single or double quotes group. Never a shell. */
export function splitArgv(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

interface SideSpec {
  side: 'base' | 'head';
  dir: string;
  env: Record<string, string>;
}

/** A side's scenarios from its own tree (bad input as for `kdelta run`), with its environment added to every command workload. */
async function loadSide(side: SideSpec, o: AbCommandOptions, io: Io, progress: Progress): Promise<Scenario[]> {
  const all = await selectScenarios(o.paths.map((p) => resolve(side.dir, p)), [], io);
  const picked = o.scenario.length ? all.filter((s) => o.scenario.includes(s.name)) : all;
  return picked.map((s) => {
    if (Object.keys(side.env).length === 0) return s;
    if (s.workload.kind !== 'command') {
      progress.warn(`${s.name}: --${side.side}-env applies to command workloads only; this one is a ${s.workload.kind}`);
      return s;
    }
    return { ...s, workload: { ...s.workload, env: { ...s.workload.env, ...side.env } } };
  });
}

/** Builds a side once, in its own tree, before anything is measured; its output goes to the log. */
async function prepareSide(side: SideSpec, argv: string[], io: Io, progress: Progress): Promise<void> {
  progress.info(`${side.side}: preparing in ${side.dir}: ${argv.join(' ')}`);
  const r = await execa(argv[0]!, argv.slice(1), { cwd: side.dir, env: { ...io.env, ...side.env }, reject: false, all: true, cancelSignal: io.signal });
  if (r.all) io.stderr.write(r.all.endsWith('\n') ? r.all : `${r.all}\n`);
  // Cancelled by the first SIGINT/SIGTERM: an interrupt, not a failed build.
  io.signal.throwIfAborted();
  if (r.exitCode !== 0) {
    throw new WorkloadError(`${side.side}: --prepare ${argv.join(' ')} failed (${r.exitCode ?? r.signal ?? 'not started'})`, { fix: `run it by hand in ${side.dir}` });
  }
}

function pairsOf(base: Scenario[], head: Scenario[]): { pairs: AbPair[]; unpaired: AbReport['scenarios'] } {
  const pairs: AbPair[] = [];
  const unpaired: AbReport['scenarios'] = [];
  for (const h of head) {
    const b = base.find((s) => s.name === h.name);
    if (b) pairs.push({ name: h.name, base: b, head: h });
    else unpaired.push({ name: h.name, state: 'new', rounds: 0, order: [] });
  }
  for (const b of base) if (!head.some((s) => s.name === b.name)) unpaired.push({ name: b.name, state: 'removed', rounds: 0, order: [] });
  return { pairs, unpaired };
}

/** The rounds of a pair: `--rounds`, else the head side's scenario, else the default. */
export function roundsOf(pair: AbPair, option: AbCommandOptions['rounds']): { min: number; max: number } {
  return option ?? pair.head.rounds ?? DEFAULT_ROUNDS;
}

/** What `ab` needs before its first measurement: both sides' scenarios paired, a writable out folder, the machine, the sides prepared. */
async function beforeMeasuring(o: AbCommandOptions, io: Io, progress: Progress, deps: RunnerDeps) {
  const sides: SideSpec[] = [
    { side: 'base', dir: resolve(io.cwd, o.base ?? '.'), env: parseEnv(o.baseEnv, '--base-env') },
    { side: 'head', dir: resolve(io.cwd, o.head ?? '.'), env: parseEnv(o.headEnv, '--head-env') },
  ];
  const [base, head] = [await loadSide(sides[0]!, o, io, progress), await loadSide(sides[1]!, o, io, progress)];
  const { pairs, unpaired } = pairsOf(base, head);
  for (const u of unpaired) progress.info(`${u.name}: only on the ${u.state === 'new' ? 'head' : 'base'} side (${u.state}); not compared`);
  if (pairs.length === 0) throw new InputError('no scenario is present on both sides', { fix: 'check --base/--head, the scenario paths and --scenario' });
  await checkOutDir(o.out, io);
  const { facts, fp } = await probeForRun(pairs.some((p) => p.head.collect.ebpf !== false), progress);
  for (const p of pairs) checkRequiredCollectors(p.head, facts, deps.collectors);
  if (o.prepare) for (const s of sides) await prepareSide(s, splitArgv(o.prepare), io, progress);
  return { sides, pairs, unpaired, facts, fp };
}

/** `kdelta ab`: both sides of the same scenarios, interleaved on this machine, compared round by round. */
export async function abCommand(o: AbCommandOptions, io: Io, deps: RunnerDeps = realRunnerDeps()): Promise<number> {
  const startedAt = new Date();
  const runId = `${newRunId(startedAt)}-ab`;
  const seed = o.seed ?? seedOf(runId);
  const test = o.test ?? 'signed-rank';
  const progress = progressFor(io);
  try {
    // Loading both trees, the checks and --prepare are left at the first SIGINT/SIGTERM: nothing is measured yet.
    const ready = await untilAborted(beforeMeasuring(o, io, progress, deps), io.signal).catch((err: unknown) => {
      if (isAbortOf(err, io.signal)) return null;
      throw err;
    });
    if (!ready) {
      io.stderr.write('kdelta: interrupted before anything was measured; no reports written\n');
      return interruptedExitCode(io.signal);
    }
    const { sides, pairs, unpaired, facts, fp } = ready;
    if (facts.isRoot && facts.cgroup2) for (const d of await sweepOrphanCgroups(facts.cgroup2)) progress.warn(`removed ${d}, left by a kdelta that was killed`);
    const runs: AbScenarioRun[] = [];
    for (const pair of pairs) {
      if (io.signal.aborted) break;
      const options: PairedOptions = { rounds: roundsOf(pair, o.rounds), test, seed };
      const abOptions = { facts, runId, rounds: options.rounds, random: mulberry32(seedFromString(pair.name, seed)), signal: io.signal, progress, ...(o.warmup !== undefined && { warmup: o.warmup }) };
      runs.push(await runAbScenario(pair, { ...abOptions, decided: (b, h) => abDecided(pair.name, pair.head.gate, b, h, options) }, deps));
    }
    const rounds = roundsOf(pairs[0]!, o.rounds);
    const { scenarios, family } = evaluateAbRuns(runs, { rounds, test, seed }, fp);
    const ab: AbReport = {
      seed,
      rounds,
      test,
      sides: { base: { dir: sides[0]!.dir, env: sides[0]!.env }, head: { dir: sides[1]!.dir, env: sides[1]!.env } },
      scenarios: [...runs.map((r) => ({ name: r.name, state: 'paired' as const, rounds: r.rounds, order: r.order })), ...unpaired],
    };
    const report: Report = { ...buildReport(runId, startedAt, fp, scenarios, family), ab };
    await publishReport(report, o.out, io);
    if (io.signal.aborted) return reportExitCode(report, io.signal);
    return environmentExitCode(runs.map((r) => r.head), io) ?? reportExitCode(report, io.signal);
  } finally {
    progress.close();
  }
}
