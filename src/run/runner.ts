import type { MachineFacts } from '../environment/types.js';
import { aggregateRepetitions } from '../metrics/aggregate.js';
import type { Metric, MetricPoint } from '../metrics/types.js';
import type { CollectorName, Scenario } from '../scenario/types.js';
import { createRepetitionCgroups } from './cgroups.js';
import { ScenarioCollectors } from './collectors.js';
import { mergeIrqTables } from './irq-merge.js';
import type { Progress } from './progress.js';
import type { ProcCpuSeries, SchedTimeline } from './timeline.js';
import type { SlowCallRepetition } from './syscall-events.js';
import { isAbortOf } from './abort.js';
import { captureDoubt, doubtWarning, workloadDoubts } from './doubts.js';
import type { DoubtOn, IrqTable, Isolation, LostData, PreparedWorkload, RepetitionCapture, RepetitionRef, RunFailure, RunnerDeps, ScenarioRun, WorkloadFailed } from './types.js';

export { checkRequiredCollectors, lostRequiredCollector, plannedCollectors } from './collectors.js';
export { runCgroupName, sweepOrphanCgroups } from './cgroups.js';
export { mergeIrqTables } from './irq-merge.js';
export type { ScenarioRun } from './types.js';

export interface RunnerOptions {
  facts: MachineFacts;
  runId: string;
  /** Overrides of the scenario's counts (`--repetitions`, `--warmup`). */
  repetitions?: number;
  warmup?: number;
  signal: AbortSignal;
  progress: Progress;
}

/** What the repetition loop gathered (one side's, in `kdelta ab`). */
export interface Gathered {
  captures: MetricPoint[][];
  lost: LostData[];
  doubts: DoubtOn[];
  failure: RunFailure | null;
  irqTable: IrqTable | null;
  cpuSeries: ProcCpuSeries[];
  timeline: SchedTimeline[];
  syscallEvents: SlowCallRepetition[];
}

function emptyGathered(): Gathered {
  return { captures: [], lost: [], doubts: [], failure: null, irqTable: null, cpuSeries: [], timeline: [], syscallEvents: [] };
}

function failureOf(rep: Pick<RepetitionRef, 'index'>, outcome: WorkloadFailed): RunFailure {
  return { repetition: rep.index + 1, kind: outcome.kind, exitCode: outcome.exitCode, signal: outcome.signal, message: outcome.message, stderrTail: outcome.stderrTail };
}

/** Folds one counted repetition's captures into what the scenario (or an A/B side) gathered. */
export function keepRepetition(g: Gathered, collectors: ScenarioCollectors, counted: number, points: MetricPoint[], repCaptures: Array<{ name: CollectorName; capture: RepetitionCapture }>): void {
  for (const { name, capture } of repCaptures) {
    points.push(...capture.metrics);
    for (const what of capture.lost) {
      g.lost.push({ repetition: counted, collector: name, what });
      const doubt = captureDoubt(counted, what, collectors.providesOf(name));
      if (doubt) g.doubts.push(doubt);
    }
    const status = collectors.statuses.find((c) => c.name === name);
    for (const note of capture.notes) if (status && !status.notes.includes(note)) status.notes.push(note);
    const table = capture.tables?.irq;
    if (table) g.irqTable = mergeIrqTables(g.irqTable, table);
    const series = capture.tables?.cpuSeries;
    if (series) g.cpuSeries.push({ repetition: counted, ...series });
    const timeline = capture.tables?.timeline;
    if (timeline) g.timeline.push({ repetition: counted, ...timeline });
    const events = capture.tables?.syscallEvents;
    if (events) g.syscallEvents.push({ repetition: counted, ...events });
  }
  for (const dead of collectors.dead()) {
    g.lost.push({ repetition: counted, collector: dead.name, what: `not measured: the ${dead.name} collector stopped in repetition ${dead.diedAt + 1}` });
  }
  collectors.counted(repCaptures);
  g.captures.push(points);
}

/** The metrics read off the workload's stdout: those it reported, and those the scenario declares (a cut may have taken them). */
export function stdoutMetricNames(scenario: Scenario, reported: MetricPoint[]): string[] {
  const declared = scenario.workload.metrics.map((m) => (m.name.startsWith('workload.') ? m.name : `workload.${m.name}`));
  return [...new Set([...reported.map((m) => m.name), ...declared])];
}

/** Runs every repetition in order until one fails or kdelta is interrupted. */
async function repeat(scenario: Scenario, reps: RepetitionRef[], workload: PreparedWorkload, collectors: ScenarioCollectors, opts: RunnerOptions, warmup: number): Promise<Gathered> {
  const { progress, signal } = opts;
  const g = emptyGathered();
  const service = workload.service ?? null;
  for (const rep of reps) {
    if (signal.aborted) {
      g.failure = { repetition: rep.index + 1, kind: 'aborted', exitCode: null, signal: null, message: 'kdelta was interrupted', stderrTail: '' };
      break;
    }
    await collectors.beforeRepetition(rep);
    await service?.beforeRepetition();
    const outcome = await workload.run({ cgroup: rep.cgroup, signal });
    const served = service ? await service.afterRepetition() : null;
    const tasks = outcome.state === 'ok' ? outcome.tasks : { pid: null, threads: [] };
    const repCaptures = await collectors.afterRepetition(rep, tasks);
    // A service that died explains whatever its driver did after, so its failure is the one reported.
    const failed = served?.state === 'failed' ? served : outcome.state === 'failed' ? outcome : null;
    if (failed) {
      g.failure = failureOf(rep, failed);
      break;
    }
    if (outcome.state === 'failed') break;
    progress.repetitionDone(scenario.name, rep.index, rep.warmup, outcome.wallTimeNs);
    if (rep.warmup) continue;
    const points: MetricPoint[] = [{ name: 'workload.wall_time', unit: 'ns', better: 'lower', value: outcome.wallTimeNs }, ...outcome.metrics, ...(served?.state === 'ok' ? served.metrics : [])];
    const counted = rep.index - warmup + 1;
    const before = g.doubts.length;
    g.doubts.push(...workloadDoubts(counted, outcome, stdoutMetricNames(scenario, outcome.metrics)));
    keepRepetition(g, collectors, counted, points, repCaptures);
    for (const d of g.doubts.slice(before)) progress.warn(doubtWarning(scenario.name, d));
  }
  return g;
}

/**
 * One sample per counted repetition. A collector that died measured only the repetitions
 * before its death: its metrics take their samples from those alone, so a count it no longer
 * delivers is not read as zero (`zeroWhenAbsent`) in the repetitions after.
 */
function metricsOf(captures: MetricPoint[][], collectors: ScenarioCollectors): Metric[] {
  const metrics = aggregateRepetitions(captures);
  for (const dead of collectors.dead()) {
    const own = new Map(aggregateRepetitions(dead.points).map((m) => [m.name, m]));
    for (const m of metrics) {
      const fixed = own.get(m.name);
      if (fixed) m.samples = fixed.samples;
    }
  }
  return metrics;
}

const INTERRUPTED: RunFailure = { repetition: 1, kind: 'aborted', exitCode: null, signal: null, message: 'kdelta was interrupted', stderrTail: '' };

/**
 * Creates the cgroups, starts the collectors and the service, and runs the repetitions.
 * Whatever happens (failure, abort, a bug), collectors are stopped and cgroups removed.
 */
async function measure(scenario: Scenario, workload: PreparedWorkload, collectors: ScenarioCollectors, opts: RunnerOptions & { count: number; warmup: number }, deps: RunnerDeps): Promise<{ gathered: Gathered; isolation: Isolation }> {
  const { facts, progress, signal } = opts;
  const service = workload.service;
  const cgroups = await createRepetitionCgroups({ facts, pid: deps.pid, runId: opts.runId, scenario: scenario.name, count: opts.count, warmup: opts.warmup, service: service !== undefined, signal }, deps.cgroups);
  try {
    if (cgroups.isolation.kind !== 'cgroup') progress.warn(`${scenario.name}: ${cgroups.isolation.reason}`);
    await collectors.start(cgroups.reps, signal);
    progress.scenarioStart(scenario.name, opts.count - opts.warmup, opts.warmup);
    // The service comes up once, before the warm-up, so every repetition loads a server that is already warm.
    const up = service ? await service.start({ cgroup: cgroups.service, signal }) : null;
    if (up?.state === 'failed') return { gathered: { ...emptyGathered(), failure: failureOf({ index: 0 }, up) }, isolation: cgroups.isolation };
    return { gathered: await repeat(scenario, cgroups.reps, workload, collectors, opts, opts.warmup), isolation: cgroups.isolation };
  } catch (err) {
    // The first SIGINT/SIGTERM ends a stage that was still starting (a capture, the cgroups):
    // the scenario is reported as interrupted, with nothing measured, like one stopped mid-run.
    if (!isAbortOf(err, signal)) throw err;
    return { gathered: { ...emptyGathered(), failure: INTERRUPTED }, isolation: cgroups.isolation };
  } finally {
    await service?.stop().catch((err: unknown) => progress.warn(`${scenario.name}: stopping the service: ${String(err)}`));
    await collectors.stop();
    await cgroups.remove((message) => progress.warn(message));
  }
}

/**
 * Runs one scenario: warm-up repetitions (measured, then thrown away, so caches and
 * page cache are warm), then the counted ones. Every repetition gets its own cgroup, all
 * created before the collectors start so one bpftrace session can serve them all.
 */
export async function runScenario(scenario: Scenario, opts: RunnerOptions, deps: RunnerDeps): Promise<ScenarioRun> {
  const { facts, progress, signal } = opts;
  const repetitions = opts.repetitions ?? scenario.repetitions;
  const warmup = opts.warmup ?? scenario.warmup;
  // eBPF first: whether it really started decides who owns sched.ready_delay.total.
  const collectors = new ScenarioCollectors(scenario, facts, deps.collectors, progress);
  let gathered: Gathered;
  let isolation: Isolation = { kind: 'none', reason: 'kdelta was interrupted before the repetitions started' };
  try {
    const workload = await deps.prepareWorkload(scenario.workload, signal);
    ({ gathered, isolation } = await measure(scenario, workload, collectors, { ...opts, count: warmup + repetitions, warmup }, deps));
  } catch (err) {
    // Interrupted while the workload was being prepared (a tinybench module's task listing): nothing to stop yet.
    if (!isAbortOf(err, signal)) throw err;
    gathered = { ...emptyGathered(), failure: INTERRUPTED };
  }
  const { captures, lost, doubts, failure, irqTable, cpuSeries, timeline, syscallEvents } = gathered;
  progress.scenarioEnd(scenario.name, failure ? `failed: ${failure.message}` : `${captures.length} repetitions measured`);
  return {
    scenario,
    repetitions,
    warmup,
    metrics: metricsOf(captures, collectors),
    collectors: collectors.statuses.map(({ name, enabled, availability, notes }) => ({ name, enabled, availability, notes })),
    isolation,
    lost,
    ...(doubts.length > 0 && { doubts }),
    failure,
    irqTable,
    ...(cpuSeries.length > 0 && { cpuSeries }),
    ...(timeline.length > 0 && { timeline }),
    ...(scenario.collect.events && { syscallEvents: { ...scenario.collect.events, repetitions: syscallEvents } }),
  };
}
