import type { MachineFacts } from '../environment/types.js';
import { aggregateRepetitions } from '../metrics/aggregate.js';
import type { Metric } from '../metrics/types.js';
import type { Scenario } from '../scenario/types.js';
import { isAbortOf } from './abort.js';
import { createRepetitionCgroups, type RepetitionCgroups } from './cgroups.js';
import { ScenarioCollectors } from './collectors.js';
import { doubtWarning, workloadDoubts } from './doubts.js';
import type { Progress } from './progress.js';
import { keepRepetition, stdoutMetricNames, type Gathered } from './runner.js';
import type { PreparedWorkload, RepetitionRef, RunFailure, RunnerDeps, ScenarioRun } from './types.js';

export type Side = 'base' | 'head';
export const SIDES: readonly Side[] = ['base', 'head'];

/** One scenario as each side's tree defines it. */
export interface AbPair {
  name: string;
  base: Scenario;
  head: Scenario;
}

export interface AbOptions {
  facts: MachineFacts;
  runId: string;
  rounds: { min: number; max: number };
  warmup?: number;
  /** Seeded from the run's seed: the order of the sides in every round follows from it, so a run can be replayed. */
  random: () => number;
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
  /** The rounds it was allowed (the sequential design the comparison must use). */
  design: { min: number; max: number };
  /** The order the sides ran in, round by round (warm-up first, as round 0). */
  order: Side[][];
}

/** One side: what its repetitions gathered, as `kdelta run` gathers it (either side's doubts make a paired verdict inconclusive). */
interface SideState extends Gathered {
  side: Side;
  scenario: Scenario;
  workload: PreparedWorkload;
  cgroups: RepetitionCgroups;
}

function emptySide(side: Side, scenario: Scenario, workload: PreparedWorkload, cgroups: RepetitionCgroups, failure: RunFailure | null = null): SideState {
  return { side, scenario, workload, cgroups, captures: [], lost: [], doubts: [], failure, irqTable: null, cpuSeries: [], timeline: [], syscallEvents: [] };
}

/** Runs one repetition of one side; false when the workload failed (the loop stops). */
async function runRepetition(state: SideState, rep: RepetitionRef, collectors: ScenarioCollectors, counted: number, o: AbOptions): Promise<boolean> {
  await collectors.beforeRepetition(rep);
  const outcome = await state.workload.run({ cgroup: rep.cgroup, signal: o.signal });
  const tasks = outcome.state === 'ok' ? outcome.tasks : { pid: null, threads: [] };
  const caps = await collectors.afterRepetition(rep, tasks);
  if (outcome.state === 'failed') {
    state.failure = { repetition: counted, kind: outcome.kind, exitCode: outcome.exitCode, signal: outcome.signal, message: `${state.side}: ${outcome.message}`, stderrTail: outcome.stderrTail };
    return false;
  }
  o.progress.repetitionDone(`${state.scenario.name} (${state.side})`, counted - 1, rep.warmup, outcome.wallTimeNs);
  if (rep.warmup) return true;
  const before = state.doubts.length;
  state.doubts.push(...workloadDoubts(counted, outcome, stdoutMetricNames(state.scenario, outcome.metrics)));
  keepRepetition(state, collectors, counted, [{ name: 'workload.wall_time', unit: 'ns', better: 'lower', value: outcome.wallTimeNs }, ...outcome.metrics], caps);
  for (const d of state.doubts.slice(before)) o.progress.warn(doubtWarning(`${state.scenario.name} (${state.side})`, d));
  return true;
}

/**
 * Each side's repetitions in a cgroup of its own (`<scenario>.base/`, `<scenario>.head/`),
 * the head side's numbered after the base side's so one capture can tell every repetition apart.
 */
async function sideStates(pair: AbPair, o: AbOptions, deps: RunnerDeps, warmup: number, states: SideState[]): Promise<void> {
  const count = warmup + o.rounds.max;
  for (const [k, side] of SIDES.entries()) {
    const scenario = pair[side];
    const workload = await deps.prepareWorkload(scenario.workload, o.signal);
    const cgroups = await createRepetitionCgroups({ facts: o.facts, pid: deps.pid, runId: o.runId, scenario: `${pair.name}.${side}`, count, warmup, signal: o.signal }, deps.cgroups);
    cgroups.reps = cgroups.reps.map((r) => ({ ...r, index: r.index + k * count }));
    states.push(emptySide(side, scenario, workload, cgroups));
  }
}

/** A side kdelta was interrupted before it could set up: nothing to run, nothing to remove. */
function interruptedSide(side: Side, scenario: Scenario): SideState {
  const reason = 'kdelta was interrupted before this side was set up';
  const failure: RunFailure = { repetition: 1, kind: 'aborted', exitCode: null, signal: null, message: reason, stderrTail: '' };
  const cgroups: RepetitionCgroups = { reps: [], service: null, isolation: { kind: 'none', reason }, remove: async () => undefined };
  const workload: PreparedWorkload = { inProcess: false, run: async () => ({ state: 'failed', ...failure, kind: 'aborted' }) };
  return emptySide(side, scenario, workload, cgroups, failure);
}

/** The rounds: warm-up per side, then each round runs both sides once in a seeded random order, until decided or rounds.max. */
async function runRounds(states: SideState[], collectors: ScenarioCollectors, warmup: number, o: AbOptions): Promise<{ rounds: number; order: Side[][] }> {
  const shuffled = (): SideState[] => (o.random() < 0.5 ? [states[0]!, states[1]!] : [states[1]!, states[0]!]);
  const order: Side[][] = [];
  const warm = shuffled();
  order.push(warm.map((s) => s.side));
  for (const s of warm) for (let i = 0; i < warmup; i++) if (!(await runRepetition(s, s.cgroups.reps[i]!, collectors, i + 1, o))) return { rounds: 0, order };
  let rounds = 0;
  while (rounds < o.rounds.max && !o.signal.aborted) {
    const sides = shuffled();
    order.push(sides.map((s) => s.side));
    for (const s of sides) if (!(await runRepetition(s, s.cgroups.reps[warmup + rounds]!, collectors, rounds + 1, o))) return { rounds, order };
    rounds++;
    if (rounds >= o.rounds.min && o.decided(aggregateRepetitions(states[0]!.captures), aggregateRepetitions(states[1]!.captures))) break;
  }
  return { rounds, order };
}

/**
 * Measures both sides of one scenario on this machine, interleaved: every repetition in a
 * cgroup of its own, all created first so one eBPF program admits both sides' cgroups and
 * both pay the same capture. Collectors follow the head side's `collect`, started and
 * stopped as `kdelta run` does. Whatever happens, collectors are stopped and cgroups removed.
 */
export async function runAbScenario(pair: AbPair, o: AbOptions, deps: RunnerDeps): Promise<AbScenarioRun> {
  const warmup = o.warmup ?? pair.head.warmup;
  const { progress } = o;
  const collectors = new ScenarioCollectors(pair.head, o.facts, deps.collectors, progress);
  const states: SideState[] = [];
  let result = { rounds: 0, order: [] as Side[][] };
  try {
    await sideStates(pair, o, deps, warmup, states);
    const isolation = states[0]!.cgroups.isolation;
    if (isolation.kind !== 'cgroup') progress.warn(`${pair.name}: ${isolation.reason}`);
    await collectors.start(states.flatMap((s) => s.cgroups.reps), o.signal);
    progress.scenarioStart(pair.name, 2 * o.rounds.max, 2 * warmup);
    result = await runRounds(states, collectors, warmup, o);
  } catch (err) {
    // The first SIGINT/SIGTERM while a side was prepared, its cgroups created or the capture started.
    if (!isAbortOf(err, o.signal)) throw err;
    for (const side of SIDES.slice(states.length)) states.push(interruptedSide(side, pair[side]));
    if (!states.some((s) => s.failure)) states[0]!.failure = { repetition: 1, kind: 'aborted', exitCode: null, signal: null, message: 'kdelta was interrupted', stderrTail: '' };
  } finally {
    await collectors.stop();
    for (const s of states) await s.cgroups.remove((message) => progress.warn(message));
  }
  const failed = states.find((s) => s.failure);
  progress.scenarioEnd(pair.name, failed ? `failed: ${failed.failure!.message}` : `${result.rounds} rounds measured`);
  const events = pair.head.collect.events;
  const statuses = collectors.statuses.map(({ name, enabled, availability, notes }) => ({ name, enabled, availability, notes }));
  const runOf = (s: SideState): ScenarioRun => ({
    scenario: s.scenario,
    repetitions: result.rounds,
    warmup,
    metrics: aggregateRepetitions(s.captures.slice(0, result.rounds)),
    collectors: statuses,
    isolation: s.cgroups.isolation,
    lost: s.lost,
    ...(s.doubts.length > 0 && { doubts: s.doubts.filter((d) => d.doubt.repetition <= result.rounds) }),
    failure: failed?.failure ?? null,
    irqTable: s.irqTable,
    ...(s.cpuSeries.length > 0 && { cpuSeries: s.cpuSeries.filter((x) => x.repetition <= result.rounds) }),
    ...(s.timeline.length > 0 && { timeline: s.timeline.filter((x) => x.repetition <= result.rounds) }),
    // The capture follows the head side's `collect`, so both sides' events share its threshold and max.
    ...(events && { syscallEvents: { ...events, repetitions: s.syscallEvents.filter((x) => x.repetition <= result.rounds) } }),
  });
  return { name: pair.name, base: runOf(states[0]!), head: runOf(states[1]!), rounds: result.rounds, design: o.rounds, order: result.order };
}
