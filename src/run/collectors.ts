import type { MachineFacts } from '../environment/types.js';
import { EnvironmentError, InputError, KdeltaError } from '../errors.js';
import type { MetricPoint } from '../metrics/types.js';
import type { CollectorName, Scenario } from '../scenario/types.js';
import { untilAborted } from './abort.js';
import type { Progress } from './progress.js';
import type { Availability, CollectorKind, CollectorSession, CollectorStatus, RepetitionCapture, RepetitionRef, ScenarioRun, TaskSet } from './types.js';

/** The collectors a scenario asks for and whether each can run here. Pure over the machine facts. */
export function plannedCollectors(scenario: Scenario, facts: MachineFacts, kinds: readonly CollectorKind[]): Array<{ name: CollectorName; enabled: boolean; availability: Availability }> {
  // The report lists /proc first whatever order the collectors start in.
  const order: CollectorName[] = ['proc', 'ebpf', 'kernel', 'events'];
  return [...kinds]
    // An opt-in collector the scenario does not mention is not part of its run at all.
    .filter((k) => scenario.collect[k.name] !== undefined)
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    .map((k) => ({ name: k.name, enabled: scenario.collect[k.name] !== false, availability: k.availability(facts) }));
}

/** Throws (exit 3) when a collector the scenario `require`s cannot run here: checked before anything runs. */
export function checkRequiredCollectors(scenario: Scenario, facts: MachineFacts, kinds: readonly CollectorKind[]): void {
  for (const c of plannedCollectors(scenario, facts, kinds)) {
    if (!scenario.collect.require.includes(c.name)) continue;
    if (!c.enabled) {
      throw new InputError(`scenario ${scenario.name} requires the ${c.name} collector but disables it in collect.${c.name}`, { file: scenario.file });
    }
    if (c.availability.state === 'unavailable') {
      throw new EnvironmentError(`scenario ${scenario.name} requires the ${c.name} collector, which cannot run here: ${c.availability.reason}`, { file: scenario.file, fix: c.availability.fix ?? 'run `kdelta doctor` to see what is missing' });
    }
  }
}

/** A collector the scenario requires that stopped during the run (exit 3, after the reports are written). */
export function lostRequiredCollector(run: ScenarioRun): CollectorStatus | undefined {
  return run.collectors.find((c) => run.scenario.collect.require.includes(c.name) && c.availability.state === 'unavailable');
}

interface Active {
  kind: CollectorKind;
  session: CollectorSession;
  status: CollectorStatus;
  /** The counted repetitions' points, kept apart so a collector that died is not zero-filled after its death. */
  points: MetricPoint[][];
  diedAt: number | null;
}

/**
 * The collectors of one scenario through its repetitions. One that cannot start is reported
 * unavailable (or ends the run when required); one that dies later is stopped and reported
 * unavailable from that repetition on, while the others and the workload go on.
 */
export class ScenarioCollectors {
  readonly statuses: CollectorStatus[];
  private readonly started: Active[] = [];

  constructor(
    private readonly scenario: Scenario,
    private readonly facts: MachineFacts,
    private readonly kinds: readonly CollectorKind[],
    private readonly progress: Progress,
  ) {
    this.statuses = plannedCollectors(scenario, facts, kinds).map((c) => ({ ...c, notes: [] }));
  }

  /** The metric patterns a collector provides: what a loss it reports without naming a map may touch. */
  providesOf(name: CollectorName): readonly string[] {
    return this.kinds.find((k) => k.name === name)?.provides ?? [];
  }

  private statusOf(name: CollectorName): CollectorStatus {
    return this.statuses.find((c) => c.name === name)!;
  }

  private warnUnavailable(c: CollectorStatus): void {
    if (c.availability.state === 'unavailable') {
      this.progress.warn(`${this.scenario.name}: ${c.name} collector cannot run here: ${c.availability.reason}; unavailable: ${c.availability.disables.join(', ')}`);
    }
  }

  /** Starts every enabled collector that can run, in the kinds' order. */
  async start(reps: RepetitionRef[], signal: AbortSignal): Promise<void> {
    let readyDelayTaken = false;
    for (const kind of this.kinds) {
      // A collector the scenario does not mention at all (an opt-in one) is not planned.
      const status = this.statuses.find((c) => c.name === kind.name);
      if (!status?.enabled) continue;
      if (kind.withoutCgroups !== undefined && status.availability.state === 'ready' && !reps.every((r) => r.cgroup)) {
        status.availability = { state: 'unavailable', reason: kind.withoutCgroups, disables: [...kind.provides] };
      }
      if (status.availability.state === 'unavailable') {
        this.warnUnavailable(status);
        continue;
      }
      const session = kind.create(this.scenario.collect, this.facts, { readyDelayTaken });
      if (await this.startOne({ kind, session, status, points: [], diedAt: null }, reps, signal)) {
        readyDelayTaken ||= kind.measuresReadyDelay?.(this.scenario.collect) ?? false;
      }
    }
  }

  /**
   * Starts a collector. One that was expected to run but cannot start (bpftrace refuses the
   * program, probes do not attach) ends the run (exit 3) only when the scenario requires it;
   * otherwise its metrics are reported unavailable with the reason, as for a missing tool.
   */
  private async startOne(a: Active, reps: RepetitionRef[], signal: AbortSignal): Promise<boolean> {
    signal.throwIfAborted();
    this.started.push(a); // before start: a half-started session is still stopped at the end
    try {
      // A capture still starting (bpftrace attaching, the loader loading) is stopped by the
      // first SIGINT/SIGTERM; once more after its start settles, in case it spawned after the first stop.
      const starting = a.session.start(reps);
      await untilAborted(starting, signal, () => {
        void a.session.stop().catch(() => undefined);
        void starting.then(() => a.session.stop()).catch(() => undefined);
      });
      return true;
    } catch (err) {
      if (!(err instanceof KdeltaError)) throw err;
      if (this.scenario.collect.require.includes(a.kind.name)) {
        const Kind = err instanceof InputError ? InputError : EnvironmentError;
        throw new Kind(`${this.scenario.name}: ${err.message}`, { file: this.scenario.file, fix: err.fix });
      }
      this.started.splice(this.started.indexOf(a), 1);
      await a.session.stop().catch(() => undefined);
      a.status.availability = unavailable(err, a.kind);
      this.progress.warn(`${this.scenario.name}: the ${a.kind.name} collector could not start: ${err.message}; its metrics are reported as unavailable`);
      return false;
    }
  }

  private alive(): Active[] {
    return this.started.filter((a) => a.diedAt === null);
  }

  async beforeRepetition(rep: RepetitionRef): Promise<void> {
    for (const a of this.alive()) {
      try {
        await a.session.beforeRepetition(rep);
      } catch (err) {
        await this.died(a, rep, err);
      }
    }
  }

  /** Each live collector's capture of the repetition, in reverse start order, so each window nests around the next one's. */
  async afterRepetition(rep: RepetitionRef, tasks: TaskSet): Promise<Array<{ name: CollectorName; capture: RepetitionCapture }>> {
    const out: Array<{ name: CollectorName; capture: RepetitionCapture }> = [];
    for (const a of this.alive().reverse()) {
      try {
        out.push({ name: a.kind.name, capture: await a.session.afterRepetition(rep, tasks) });
      } catch (err) {
        await this.died(a, rep, err);
      }
    }
    return out;
  }

  /** Keeps a counted repetition's points per collector (see `points`). */
  counted(captures: Array<{ name: CollectorName; capture: RepetitionCapture }>): void {
    for (const a of this.alive()) a.points.push(captures.find((c) => c.name === a.kind.name)?.capture.metrics ?? []);
  }

  /** The collectors that died, with the points of the counted repetitions they measured. */
  dead(): Array<{ name: CollectorName; diedAt: number; points: MetricPoint[][] }> {
    return this.started.flatMap((a) => (a.diedAt === null ? [] : [{ name: a.kind.name, diedAt: a.diedAt, points: a.points }]));
  }

  private async died(a: Active, rep: RepetitionRef, err: unknown): Promise<void> {
    if (!(err instanceof KdeltaError)) throw err;
    a.diedAt = rep.index;
    await a.session.stop().catch(() => undefined);
    const when = `repetition ${rep.index + 1}${rep.warmup ? ' (a warm-up)' : ''}`;
    a.status.availability = unavailable(err, a.kind, `${err.message} (stopped in ${when}; the repetitions before it keep their values)`);
    const required = this.scenario.collect.require.includes(a.kind.name) ? '; the scenario requires it, so the run will exit 3' : '';
    this.progress.warn(`${this.scenario.name}: the ${a.kind.name} collector stopped in ${when}: ${err.message}; its metrics are unavailable from there on${required}`);
  }

  /** Stops every collector that started, in reverse order; never throws. */
  async stop(): Promise<void> {
    for (const a of [...this.started].reverse()) {
      await a.session.stop().catch((err: unknown) => this.progress.warn(`stopping the ${a.kind.name} collector: ${String(err)}`));
    }
  }
}

function unavailable(err: KdeltaError, kind: CollectorKind, reason = err.message): Availability {
  return { state: 'unavailable', reason, ...(err.fix !== undefined && { fix: err.fix }), disables: [...kind.provides] };
}
