import { execa } from 'execa';
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { baselineFromRun } from '../baselines/store.js';
import { createEbpfSession, EBPF_METRICS } from '../collect/ebpf/session.js';
import { createProcSession } from '../collect/proc/session.js';
import type { CollectorSession } from '../collect/types.js';
import { abComparands, abDecided, abExplanations, abVerdicts } from '../compare/paired/evaluate.js';
import type { PairedComparand, PairedOptions } from '../compare/paired/compare.js';
import { mulberry32, seedFromString } from '../compare/stats/prng.js';
import { fingerprint } from '../environment/fingerprint.js';
import { ensureTracefs, probeMachine } from '../environment/probe.js';
import type { MachineFacts } from '../environment/types.js';
import { EnvironmentError, EXIT, InputError, KdeltaError, WorkloadError } from '../errors.js';
import type { Io } from '../io.js';
import { interruptedExitCode, useColor } from '../io.js';
import { renderConsoleSummary } from '../report/console.js';
import { renderExplanation } from '../report/explain.js';
import { publishToGithub } from '../report/github.js';
import { renderMarkdown } from '../report/markdown.js';
import type { AbReport, CollectorReport, Report, ScenarioReport } from '../report/types.js';
import { writeFileAtomic, writeReports } from '../report/write.js';
import { runAbScenario, type AbPair, type AbRepetition, type AbScenarioRun, type AbSession } from '../run/ab.js';
import { evaluateRuns, overallStatus } from '../run/evaluate.js';
import { createProgress, type Progress } from '../run/progress.js';
import { checkRequiredCollectors, plannedCollectors, sweepOrphanCgroups } from '../run/runner.js';
import { formatProblem, loadScenarios } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';
import { VERSION_TEXT } from '../version.js';
import { prepareWorkload } from '../workload/prepare.js';

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

/** A side's scenarios from its own tree, with its environment added to every command workload. */
async function loadSide(side: SideSpec, o: AbCommandOptions, io: Io, progress: Progress): Promise<Scenario[]> {
  const { scenarios, problems } = await loadScenarios(o.paths.map((p) => resolve(side.dir, p)));
  if (problems.length) {
    for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
    throw new InputError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the ${side.side} side's scenario files`, { fix: `run \`kdelta validate\` in ${side.dir} and fix what it lists` });
  }
  const picked = o.scenario.length ? scenarios.filter((s) => o.scenario.includes(s.name)) : scenarios;
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
  if (r.exitCode !== 0) {
    throw new WorkloadError(`${side.side}: --prepare ${argv.join(' ')} failed (${r.exitCode ?? r.signal ?? 'not started'})`, { fix: `run it by hand in ${side.dir}` });
  }
}

async function startCollector(session: CollectorSession, reps: AbRepetition[], scenario: Scenario, report: CollectorReport, sessions: AbSession[], progress: Progress): Promise<boolean> {
  sessions.push(session);
  try {
    await session.start(reps);
    return true;
  } catch (err) {
    if (!(err instanceof KdeltaError)) throw err;
    if (scenario.collect.require.includes(session.name)) {
      const Kind = err instanceof InputError ? InputError : EnvironmentError;
      throw new Kind(`${scenario.name}: ${err.message}`, { file: scenario.file, fix: err.fix });
    }
    sessions.splice(sessions.indexOf(session), 1);
    await session.stop().catch(() => undefined);
    report.availability = { state: 'unavailable', reason: err.message, ...(err.fix !== undefined && { fix: err.fix }), disables: session.name === 'ebpf' ? EBPF_METRICS : ['*'] };
    progress.warn(`${scenario.name}: the ${session.name} collector could not start: ${err.message}; its metrics are reported as unavailable`);
    return false;
  }
}

/** One session of each collector for a scenario, admitting both sides' cgroups. eBPF first: it decides who owns ready delay. */
function collectorsStarter(facts: MachineFacts, progress: Progress) {
  return async (scenario: Scenario, reps: AbRepetition[], reports: CollectorReport[], sessions: AbSession[]): Promise<void> => {
    const spec = scenario.collect;
    const ebpf = reports.find((c) => c.name === 'ebpf')!;
    const proc = reports.find((c) => c.name === 'proc')!;
    let ebpfReady = false;
    if (ebpf.enabled && spec.ebpf !== false) {
      if (ebpf.availability.state === 'ready' && !reps.every((r) => r.cgroup)) {
        ebpf.availability = { state: 'unavailable', reason: 'the eBPF capture filters on the repetition cgroup, and there is none', disables: EBPF_METRICS };
      }
      if (ebpf.availability.state === 'ready' && (await startCollector(createEbpfSession(spec.ebpf, facts), reps, scenario, ebpf, sessions, progress))) ebpfReady = spec.ebpf.readyDelay;
    }
    if (proc.enabled && spec.proc !== false && proc.availability.state === 'ready') {
      await startCollector(createProcSession(spec.proc, facts, { readyDelay: !ebpfReady }), reps, scenario, proc, sessions, progress);
    }
  };
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

/** The head side's report of each pair, with the base side as its "baseline" and the paired verdicts and explanations in place. */
function scenarioReports(runs: AbScenarioRun[], options: PairedOptions, env: Report['environment']): { scenarios: ScenarioReport[]; size: number } {
  const comparands: PairedComparand[] = runs.filter((r) => !r.head.failure).flatMap((r) => abComparands(r.name, r.head.scenario.gate, r.base.metrics, r.head.metrics));
  const { verdicts } = abVerdicts(comparands, options);
  const evaluated = evaluateRuns(
    runs.map((r) => ({
      run: r.head,
      baseline: { path: r.base.scenario.file, baseline: baselineFromRun(r.base, { machine: 'base side', environment: env, reason: 'kdelta ab: the base side', commit: null }), mismatch: [], stale: false },
    })),
    options.seed,
  ).scenarios;
  const scenarios = evaluated.map((s, i) => {
    const run = runs[i]!;
    const metrics = s.metrics.map((m) => (m.gated && verdicts.has(`${s.name}\u0000${m.name}`) ? { ...m, verdict: verdicts.get(`${s.name}\u0000${m.name}`)! } : m));
    const failed = [...metrics.map((m) => m.verdict), ...s.limits.map((l) => l.verdict)].some((v) => v?.status === 'regression' || v?.status === 'limit-exceeded');
    const explained = abExplanations(metrics.filter((m) => m.gated).map((m) => ({ metric: m.name, verdict: m.verdict })), run.base.metrics, run.head.metrics);
    const explanations = explained.map((e) => {
      const v = metrics.find((m) => m.name === e.metric)?.verdict;
      return { ...e, text: renderExplanation(e, v && 'change' in v ? v.change : NaN) };
    });
    return { ...s, metrics, status: s.status === 'error' ? s.status : failed ? ('regression' as const) : ('pass' as const), explanations };
  });
  return { scenarios, size: comparands.length };
}

async function publish(report: Report, outDir: string | undefined, io: Io): Promise<void> {
  const dir = outDir ? resolve(io.cwd, outDir) : resolve(io.cwd, 'reports', report.runId);
  await mkdir(dir, { recursive: true }).catch((err: unknown) => {
    throw new InputError(`cannot write reports into ${dir}: ${String(err)}`, { fix: 'give --out a folder kdelta can create or write' });
  });
  const written = await writeReports(report, outDir ? { dir } : { dir, latestLink: resolve(io.cwd, 'reports', 'latest') });
  await writeFileAtomic(join(dir, 'comment.md'), renderMarkdown(report, { variant: 'comment' }));
  await publishToGithub(report, { env: io.env, writeLine: (line) => io.stdout.write(line + '\n'), appendFile: (path, text) => appendFile(path, text) });
  io.stderr.write(renderConsoleSummary(report, { color: useColor(io), written }));
  io.stdout.write(`${written.json}\n${written.junit}\n${written.markdown}\n`);
}

/** `kdelta ab`: both sides of the same scenarios, interleaved on this machine, compared round by round. */
export async function abCommand(o: AbCommandOptions, io: Io): Promise<number> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid.toString(36)}-ab`;
  const seed = o.seed ?? seedFromString(runId);
  const rounds = o.rounds ?? { min: 5, max: 30 };
  const options: PairedOptions = { rounds, test: o.test ?? 'signed-rank', seed };
  const progress = createProgress({ write: (t) => io.stderr.write(t), isTTY: io.isTTY, color: useColor(io), githubActions: io.env['GITHUB_ACTIONS'] === 'true' });
  try {
    const sides: SideSpec[] = [
      { side: 'base', dir: resolve(io.cwd, o.base ?? '.'), env: parseEnv(o.baseEnv, '--base-env') },
      { side: 'head', dir: resolve(io.cwd, o.head ?? '.'), env: parseEnv(o.headEnv, '--head-env') },
    ];
    const [base, head] = [await loadSide(sides[0]!, o, io, progress), await loadSide(sides[1]!, o, io, progress)];
    const { pairs, unpaired } = pairsOf(base, head);
    for (const u of unpaired) progress.info(`${u.name}: only on the ${u.state === 'new' ? 'head' : 'base'} side (${u.state}); not compared`);
    if (pairs.length === 0) throw new InputError('no scenario is present on both sides', { fix: 'check --base/--head and the scenario paths' });
    let facts = await probeMachine();
    if (facts.isRoot && !facts.tracefs && (await ensureTracefs(facts)).mounted) facts = await probeMachine();
    const fp = await fingerprint(facts);
    for (const p of pairs) checkRequiredCollectors(p.head, facts);
    if (o.prepare) for (const s of sides) await prepareSide(s, splitArgv(o.prepare), io, progress);
    if (facts.isRoot && facts.cgroup2) for (const d of await sweepOrphanCgroups(facts.cgroup2)) progress.warn(`removed ${d}, left by a kdelta that was killed`);
    const runs: AbScenarioRun[] = [];
    for (const pair of pairs) {
      if (io.signal.aborted) break;
      runs.push(
        await runAbScenario(pair, {
          cgroup2: facts.isRoot ? facts.cgroup2 : null,
          runId,
          rounds,
          ...(o.warmup !== undefined && { warmup: o.warmup }),
          random: mulberry32(seedFromString(pair.name, seed)),
          signal: io.signal,
          progress,
          prepare: (s) => prepareWorkload(s.workload),
          plannedCollectors: (s) => plannedCollectors(s, facts).map((c) => ({ ...c, notes: [] })),
          startCollectors: collectorsStarter(facts, progress),
          decided: (b, h) => abDecided(pair.name, pair.head.gate, b, h, options),
        }),
      );
    }
    const { scenarios, size } = scenarioReports(runs, options, fp);
    const ab: AbReport = {
      seed,
      rounds,
      test: options.test,
      sides: { base: { dir: sides[0]!.dir, env: sides[0]!.env }, head: { dir: sides[1]!.dir, env: sides[1]!.env } },
      scenarios: [...runs.map((r) => ({ name: r.name, state: 'paired' as const, rounds: r.rounds, order: r.order })), ...unpaired],
    };
    const report: Report = { schemaVersion: 1, runId, startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), kdeltaVersion: VERSION_TEXT, environment: fp, status: overallStatus(scenarios), family: { size, correction: 'holm' }, scenarios, ab };
    await publish(report, o.out, io);
    if (io.signal.aborted) return interruptedExitCode(io.signal);
    return report.status === 'error' ? EXIT.workloadFailed : report.status === 'regression' ? EXIT.regression : EXIT.ok;
  } finally {
    progress.close();
  }
}
