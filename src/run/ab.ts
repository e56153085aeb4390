import { join } from 'node:path';
import { createCgroup, removeCgroup, type CgroupRef } from '../kernel/cgroup.js';
import { aggregateRepetitions } from '../metrics/aggregate.js';
import type { Metric, MetricPoint } from '../metrics/types.js';
import type { Scenario } from '../scenario/types.js';
import type { Progress } from './progress.js';
import { mergeIrqTables, runCgroupName, type ScenarioRun } from './runner.js';

/*
 * The rounds loop knows collectors and workloads only by these shapes; the command passes
 * in what creates them, so this stage imports neither.
 */
export interface AbRepetition {
  index: number;
  warmup: boolean;
  cgroup: CgroupRef | null;
}
export interface AbCapture {
  metrics: MetricPoint[];
  lost: string[];
  notes: string[];
  tables?: Record<string, unknown>;
}
export interface AbTasks {
  pid: number | null;
  threads: Array<{ tid: number; comm: string; runDelayNs: number; runNs: number; timeslices: number }>;
}
export interface AbSession {
  readonly name: 'proc' | 'ebpf';
  beforeRepetition(rep: AbRepetition): Promise<void>;
  afterRepetition(rep: AbRepetition, tasks: AbTasks): Promise<AbCapture>;
  stop(): Promise<void>;
}
export type AbOutcome =
  | { state: 'ok'; wallTimeNs: number; metrics: MetricPoint[]; tasks: AbTasks }
  | { state: 'failed'; kind: 'exit' | 'signal' | 'timeout' | 'spawn' | 'aborted' | 'error'; exitCode: number | null; signal: string | null; stderrTail: string; message: string };
export interface AbWorkload {
  run(ctx: { cgroup: CgroupRef | null; signal: AbortSignal }): Promise<AbOutcome>;
}
type CollectorReport = ScenarioRun['collectors'][number];
type IrqTable = NonNullable<ScenarioRun['irqTable']>;

export type Side = 'base' | 'head';
export const SIDES: readonly Side[] = ['base', 'head'];

/** One scenario as each side's tree defines it. */
export interface AbPair {
  name: string;
  base: Scenario;
  head: Scenario;
}

export interface AbOptions {
  /** The cgroup v2 mount when kdelta may create cgroups there (root), else null. */
  cgroup2: string | null;
  runId: string;
  rounds: { min: number; max: number };
  warmup?: number;
  /** Seeded from the run's seed: the order of the sides in every round follows from it, so a run can be replayed. */
  random: () => number;
  prepare: (scenario: Scenario) => Promise<AbWorkload>;
  /**
   * Starts one collector session of each kind for the scenario, admitting every repetition of
   * both sides (so both pay the same capture); pushes each into `sessions` before starting it,
   * so a half-started one is still stopped.
   */
  startCollectors: (scenario: Scenario, reps: AbRepetition[], reports: CollectorReport[], sessions: AbSession[]) => Promise<void>;
  /** The collectors the scenario asks for and whether each can run here. */
  plannedCollectors: (scenario: Scenario) => CollectorReport[];
  signal: AbortSignal;
  progress: Progress;
  /** Called after every round from rounds.min on with both sides' metrics so far; true stops the loop. */
  decided: (base: Metric[], head: Metric[]) => boolean;
}

/** Both sides of one scenario, measured in interleaved rounds. */
export interface AbScenarioRun {
  name: string;
  base: ScenarioRun;
  head: ScenarioRun;
  rounds: number;
  /** The order the sides ran in, round by round (warm-up first, as round 0). */
  order: Side[][];
}

interface SideState {
  side: Side;
  scenario: Scenario;
  workload: AbWorkload;
  reps: AbRepetition[];
  captures: MetricPoint[][];
  lost: ScenarioRun['lost'];
  failure: ScenarioRun['failure'];
  irqTable: IrqTable | null;
}

function safeSegment(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]/g, '_');
}

/** Runs one repetition of one side; false when the workload failed (the loop stops). */
async function runRepetition(state: SideState, rep: AbRepetition, sessions: AbSession[], counted: number, reports: CollectorReport[], o: AbOptions): Promise<boolean> {
  for (const s of sessions) await s.beforeRepetition(rep);
  const outcome = await state.workload.run({ cgroup: rep.cgroup, signal: o.signal });
  const tasks = outcome.state === 'ok' ? outcome.tasks : { pid: null, threads: [] };
  const caps: Array<{ name: 'proc' | 'ebpf'; capture: AbCapture }> = [];
  for (const s of [...sessions].reverse()) caps.push({ name: s.name, capture: await s.afterRepetition(rep, tasks) });
  if (outcome.state === 'failed') {
    state.failure = { repetition: counted, kind: outcome.kind, exitCode: outcome.exitCode, signal: outcome.signal, message: `${state.side}: ${outcome.message}`, stderrTail: outcome.stderrTail };
    return false;
  }
  o.progress.repetitionDone(`${state.scenario.name} (${state.side})`, counted - 1, rep.warmup, outcome.wallTimeNs);
  if (rep.warmup) return true;
  const points: MetricPoint[] = [{ name: 'workload.wall_time', unit: 'ns', better: 'lower', value: outcome.wallTimeNs }, ...outcome.metrics];
  for (const { name, capture } of caps) {
    points.push(...capture.metrics);
    for (const what of capture.lost) state.lost.push({ repetition: counted, collector: name, what });
    const report = reports.find((c) => c.name === name);
    for (const note of capture.notes) if (report && !report.notes.includes(note)) report.notes.push(note);
    const table = capture.tables?.['irq'];
    if (table) state.irqTable = mergeIrqTables(state.irqTable, table as IrqTable);
  }
  state.captures.push(points);
  return true;
}

async function sideStates(pair: AbPair, o: AbOptions, warmup: number, dir: string | null): Promise<SideState[]> {
  const states: SideState[] = [];
  for (const [k, side] of SIDES.entries()) {
    const scenario = pair[side];
    const reps: AbRepetition[] = [];
    const total = warmup + o.rounds.max;
    for (let i = 0; i < total; i++) {
      const cgroup = dir ? await createCgroup(join(dir, `${side}-r${i}`)) : null;
      reps.push({ index: k * total + i, warmup: i < warmup, cgroup });
    }
    states.push({ side, scenario, workload: await o.prepare(scenario), reps, captures: [], lost: [], failure: null, irqTable: null });
  }
  return states;
}

/** The rounds: warm-up per side, then each round runs both sides once in a seeded random order, until decided or rounds.max. */
async function runRounds(states: SideState[], sessions: AbSession[], reports: CollectorReport[], warmup: number, o: AbOptions): Promise<{ rounds: number; order: Side[][] }> {
  const random = o.random;
  const shuffled = (): SideState[] => (random() < 0.5 ? [states[0]!, states[1]!] : [states[1]!, states[0]!]);
  const order: Side[][] = [];
  const warm = shuffled();
  order.push(warm.map((s) => s.side));
  for (const s of warm) for (let i = 0; i < warmup; i++) if (!(await runRepetition(s, s.reps[i]!, sessions, i + 1, reports, o))) return { rounds: 0, order };
  let rounds = 0;
  while (rounds < o.rounds.max && !o.signal.aborted) {
    const sides = shuffled();
    order.push(sides.map((s) => s.side));
    for (const s of sides) if (!(await runRepetition(s, s.reps[warmup + rounds]!, sessions, rounds + 1, reports, o))) return { rounds, order };
    rounds++;
    if (rounds >= o.rounds.min && o.decided(aggregateRepetitions(states[0]!.captures), aggregateRepetitions(states[1]!.captures))) break;
  }
  return { rounds, order };
}

/**
 * Measures both sides of one scenario on this machine, interleaved: every repetition in a
 * cgroup of its own, all created first so one eBPF program admits both sides' cgroups and
 * both pay the same capture. Collectors follow the head side's `collect`. Whatever happens,
 * collectors are stopped and cgroups removed.
 */
export async function runAbScenario(pair: AbPair, o: AbOptions): Promise<AbScenarioRun> {
  const warmup = o.warmup ?? pair.head.warmup;
  const { progress } = o;
  const root = o.cgroup2 ? join(o.cgroup2, runCgroupName(process.pid, o.runId)) : null;
  const dir = root ? join(root, safeSegment(pair.name)) : null;
  const reports = o.plannedCollectors(pair.head);
  const sessions: AbSession[] = [];
  let states: SideState[] = [];
  let result = { rounds: 0, order: [] as Side[][] };
  try {
    states = await sideStates(pair, o, warmup, dir);
    if (!dir) progress.warn(`${pair.name}: no cgroup per repetition (not root, or no cgroup v2): the eBPF capture cannot run`);
    await o.startCollectors(pair.head, states.flatMap((s) => s.reps), reports, sessions);
    progress.scenarioStart(pair.name, 2 * o.rounds.max, 2 * warmup);
    result = await runRounds(states, sessions, reports, warmup, o);
  } finally {
    for (const s of sessions) await s.stop().catch((err: unknown) => progress.warn(`stopping the ${s.name} collector: ${String(err)}`));
    for (const rep of states.flatMap((s) => s.reps)) if (rep.cgroup) await removeCgroup(rep.cgroup.path).catch((err: unknown) => progress.warn(String(err)));
    if (dir) await removeCgroup(dir).catch(() => undefined);
    if (root) await removeCgroup(root).catch(() => undefined);
  }
  const failed = states.find((s) => s.failure);
  progress.scenarioEnd(pair.name, failed ? `failed: ${failed.failure!.message}` : `${result.rounds} rounds measured`);
  const collectors = reports.map(({ name, enabled, availability, notes }) => ({ name, enabled, availability, notes }));
  const isolation: ScenarioRun['isolation'] = dir ? { kind: 'cgroup', path: dir } : { kind: 'pid', reason: 'not root or no cgroup v2: the workload is told apart by its process id' };
  const runOf = (s: SideState): ScenarioRun => ({
    scenario: s.scenario,
    repetitions: result.rounds,
    warmup,
    metrics: aggregateRepetitions(s.captures.slice(0, result.rounds)),
    collectors,
    isolation,
    lost: s.lost,
    failure: failed?.failure ?? null,
    irqTable: s.irqTable,
  });
  return { name: pair.name, base: runOf(states[0]!), head: runOf(states[1]!), rounds: result.rounds, order: result.order };
}
