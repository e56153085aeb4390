import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { EBPF_METRICS } from '../collect/ebpf/session.js';
// Switch point: the libbpf capture where it runs, bpftrace otherwise (KDELTA_EBPF=bpftrace|libbpf forces one).
import { captureAvailability, createEbpfCapture } from '../collect/bpf/choose.js';
import { createProcSession, procAvailability } from '../collect/proc/session.js';
import type { Availability, CollectorSession, RepetitionCapture, RepetitionRef } from '../collect/types.js';
import type { MachineFacts } from '../environment/types.js';
import { EnvironmentError, InputError, KdeltaError } from '../errors.js';
import { aggregateRepetitions } from '../metrics/aggregate.js';
import type { Metric, MetricPoint } from '../metrics/types.js';
import type { IrqTable } from '../collect/proc/irq-table.js';
import type { CollectorReport, ScenarioReport } from '../report/types.js';
import type { CollectorName, Scenario } from '../scenario/types.js';
import { prepareWorkload } from '../workload/prepare.js';
import type { WorkloadOutcome } from '../workload/types.js';
import { createCgroup, removeCgroup } from '../kernel/cgroup.js';
import type { Progress } from './progress.js';

/** What running one scenario produced, before any comparison. */
export interface ScenarioRun {
  scenario: Scenario;
  repetitions: number;
  warmup: number;
  metrics: Metric[];
  collectors: CollectorReport[];
  isolation: ScenarioReport['isolation'];
  lost: ScenarioReport['lost'];
  failure: ScenarioReport['failure'];
  irqTable: IrqTable | null;
}

export interface RunnerOptions {
  facts: MachineFacts;
  runId: string;
  /** Overrides of the scenario's counts (`--repetitions`, `--warmup`). */
  repetitions?: number;
  warmup?: number;
  signal: AbortSignal;
  progress: Progress;
}

/** The collectors a scenario asks for and whether each can run here. Pure over the machine facts. */
export function plannedCollectors(scenario: Scenario, facts: MachineFacts): Array<{ name: CollectorName; enabled: boolean; availability: Availability }> {
  const { proc, ebpf } = scenario.collect;
  return [
    { name: 'proc', enabled: proc !== false, availability: procAvailability(facts) },
    { name: 'ebpf', enabled: ebpf !== false, availability: captureAvailability(facts) },
  ];
}

/** Throws (exit 3) when a collector the scenario `require`s cannot run here: checked before anything runs. */
export function checkRequiredCollectors(scenario: Scenario, facts: MachineFacts): void {
  for (const c of plannedCollectors(scenario, facts)) {
    if (!scenario.collect.require.includes(c.name)) continue;
    if (!c.enabled) {
      throw new InputError(`scenario ${scenario.name} requires the ${c.name} collector but disables it in collect.${c.name}`, { file: scenario.file });
    }
    if (c.availability.state === 'unavailable') {
      throw new EnvironmentError(`scenario ${scenario.name} requires the ${c.name} collector, which cannot run here: ${c.availability.reason}`, { file: scenario.file, fix: c.availability.fix ?? 'run `kdelta doctor` to see what is missing' });
    }
  }
}

/** Parent cgroup of one kdelta process: its pid is in the name so a later run can tell an orphan from a live run. */
export function runCgroupName(pid: number, runId: string): string {
  return `kdelta-${pid}-${runId}`;
}

/**
 * Removes cgroups left by a kdelta that was killed with SIGKILL (nothing else can clean up
 * after that): any `kdelta-<pid>-*` directory whose pid is no longer alive. Returns what it removed.
 */
export async function sweepOrphanCgroups(cgroup2: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(cgroup2);
  } catch {
    return removed;
  }
  for (const name of entries) {
    const m = /^kdelta-(\d+)-/.exec(name);
    if (!m || isAlive(Number(m[1]))) continue;
    const dir = join(cgroup2, name);
    try {
      await removeCgroupTree(dir);
      removed.push(dir);
    } catch {
      /* still busy: a later run tries again */
    }
  }
  return removed;
}

/**
 * Removes a cgroup and every cgroup below it, deepest first: a run cgroup holds scenario
 * cgroups that hold the repetition ones, and only the leaves have processes to kill.
 */
async function removeCgroupTree(dir: string): Promise<void> {
  for (const child of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (child.isDirectory()) await removeCgroupTree(join(dir, child.name));
  }
  await removeCgroup(dir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeSegment(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]/g, '_');
}

/**
 * Runs one scenario: warm-up repetitions (measured, then thrown away, so caches and
 * page cache are warm), then the counted ones. Every repetition gets its own cgroup, all
 * created before the collectors start so one bpftrace session can serve them all.
 * Whatever happens (failure, abort, a bug), collectors are stopped and cgroups removed.
 */
export async function runScenario(scenario: Scenario, opts: RunnerOptions): Promise<ScenarioRun> {
  const { facts, progress, signal } = opts;
  const repetitions = opts.repetitions ?? scenario.repetitions;
  const warmup = opts.warmup ?? scenario.warmup;
  const workload = await prepareWorkload(scenario.workload);

  const collectorReports: CollectorReport[] = plannedCollectors(scenario, facts).map((c) => ({ ...c, notes: [] }));
  const lost: ScenarioRun['lost'] = [];
  let failure: ScenarioRun['failure'] = null;
  let irqTable: IrqTable | null = null;

  let isolation: ScenarioRun['isolation'];
  let parent: string | null = null;
  const reps: RepetitionRef[] = [];
  const sessions: CollectorSession[] = [];
  const captures: MetricPoint[][] = [];

  try {
    if (facts.cgroup2 && facts.isRoot) {
      parent = join(facts.cgroup2, runCgroupName(process.pid, opts.runId));
      const scenarioDir = join(parent, safeSegment(scenario.name));
      for (let i = 0; i < warmup + repetitions; i++) {
        reps.push({ index: i, warmup: i < warmup, cgroup: await createCgroup(join(scenarioDir, `r${i}`)) });
      }
      isolation = { kind: 'cgroup', path: scenarioDir };
    } else {
      const reason = facts.cgroup2
        ? 'not root: cannot create cgroups; the workload is told apart by its process id, so tasks it starts through a daemon, and threads that exit before a /proc poll, are missed'
        : 'no cgroup v2 mount on this machine; the workload is told apart by its process id';
      for (let i = 0; i < warmup + repetitions; i++) reps.push({ index: i, warmup: i < warmup, cgroup: null });
      isolation = { kind: 'pid', reason };
      progress.warn(`${scenario.name}: ${reason}`);
    }

    const spec = scenario.collect;
    const reportOf = (name: CollectorName) => collectorReports.find((c) => c.name === name)!;
    /**
     * Starts a collector. One that was expected to run but cannot start (bpftrace refuses the
     * program, probes do not attach) ends the run (exit 3) only when the scenario requires it;
     * otherwise its metrics are reported unavailable with the reason, as for a missing tool.
     */
    const start = async (session: CollectorSession): Promise<boolean> => {
      signal.throwIfAborted();
      sessions.push(session); // before start: a half-started session is still stopped in the finally
      try {
        await session.start(reps);
        return true;
      } catch (err) {
        if (!(err instanceof KdeltaError)) throw err;
        if (spec.require.includes(session.name)) {
          const Kind = err instanceof InputError ? InputError : EnvironmentError;
          throw new Kind(`${scenario.name}: ${err.message}`, { file: scenario.file, fix: err.fix });
        }
        sessions.splice(sessions.indexOf(session), 1);
        await session.stop().catch(() => undefined);
        reportOf(session.name).availability = {
          state: 'unavailable',
          reason: err.message,
          ...(err.fix !== undefined && { fix: err.fix }),
          disables: session.name === 'ebpf' ? EBPF_METRICS : ['*'],
        };
        progress.warn(`${scenario.name}: the ${session.name} collector could not start: ${err.message}; its metrics are reported as unavailable`);
        return false;
      }
    };
    const warnUnavailable = (c: CollectorReport) => {
      if (c.availability.state === 'unavailable') {
        progress.warn(`${scenario.name}: ${c.name} collector cannot run here: ${c.availability.reason}; unavailable: ${c.availability.disables.join(', ')}`);
      }
    };

    // eBPF first: whether it really started decides who owns sched.ready_delay.total.
    let ebpfMeasuresReadyDelay = false;
    const ebpf = reportOf('ebpf');
    if (ebpf.enabled && spec.ebpf !== false) {
      if (ebpf.availability.state === 'ready' && !reps.every((r) => r.cgroup)) {
        ebpf.availability = { state: 'unavailable', reason: 'the eBPF capture filters on the repetition cgroup, and there is none', disables: EBPF_METRICS };
      }
      if (ebpf.availability.state === 'unavailable') warnUnavailable(ebpf);
      else if (await start(createEbpfCapture(spec.ebpf, facts))) ebpfMeasuresReadyDelay = spec.ebpf.readyDelay;
    }
    const proc = reportOf('proc');
    if (proc.enabled && spec.proc !== false) {
      if (proc.availability.state === 'unavailable') warnUnavailable(proc);
      // With eBPF measuring ready delay, the schedstat figure is kept as `sched.run_delay.total`,
      // the kernel's own accounting beside it, instead of competing for the same name.
      else await start(createProcSession(spec.proc, facts, { readyDelay: !ebpfMeasuresReadyDelay }));
    }

    progress.scenarioStart(scenario.name, repetitions, warmup);
    for (const rep of reps) {
      if (signal.aborted) {
        failure = { repetition: rep.index + 1, kind: 'aborted', exitCode: null, signal: null, message: 'kdelta was interrupted', stderrTail: '' };
        break;
      }
      for (const s of sessions) await s.beforeRepetition(rep);
      const outcome: WorkloadOutcome = await workload.run({ cgroup: rep.cgroup, signal });
      const tasks = outcome.state === 'ok' ? outcome.tasks : { pid: null, threads: [] };
      const repCaptures: Array<{ name: CollectorName; capture: RepetitionCapture }> = [];
      // Stopped in reverse order, so each collector's window nests around the next one's.
      for (const s of [...sessions].reverse()) repCaptures.push({ name: s.name, capture: await s.afterRepetition(rep, tasks) });

      if (outcome.state === 'failed') {
        failure = {
          repetition: rep.index + 1,
          kind: outcome.kind,
          exitCode: outcome.exitCode,
          signal: outcome.signal,
          message: outcome.message,
          stderrTail: outcome.stderrTail,
        };
        break;
      }
      progress.repetitionDone(scenario.name, rep.index, rep.warmup, outcome.wallTimeNs);
      if (rep.warmup) continue;

      const points: MetricPoint[] = [
        { name: 'workload.wall_time', unit: 'ns', better: 'lower', value: outcome.wallTimeNs },
        ...outcome.metrics,
      ];
      for (const { name, capture } of repCaptures) {
        points.push(...capture.metrics);
        const counted = rep.index - warmup + 1;
        for (const what of capture.lost) lost.push({ repetition: counted, collector: name, what });
        const report = collectorReports.find((c) => c.name === name);
        for (const note of capture.notes) if (report && !report.notes.includes(note)) report.notes.push(note);
        const table = capture.tables?.['irq'];
        if (table) irqTable = mergeIrqTables(irqTable, table as IrqTable);
      }
      captures.push(points);
    }
  } finally {
    for (const s of sessions) await s.stop().catch((err: unknown) => progress.warn(`stopping the ${s.name} collector: ${String(err)}`));
    for (const rep of reps) if (rep.cgroup) await removeCgroup(rep.cgroup.path).catch((err: unknown) => progress.warn(String(err)));
    if (parent) {
      await removeCgroup(join(parent, safeSegment(scenario.name))).catch(() => undefined);
      await removeCgroup(parent).catch(() => undefined);
    }
  }
  progress.scenarioEnd(scenario.name, failure ? `failed: ${failure.message}` : `${captures.length} repetitions measured`);

  return {
    scenario,
    repetitions,
    warmup,
    metrics: aggregateRepetitions(captures),
    collectors: collectorReports.map(({ name, enabled, availability, notes }) => ({ name, enabled, availability, notes })),
    isolation,
    lost,
    failure,
    irqTable,
  };
}

/** Sums the per-repetition irqstat tables of a scenario into one, keeping the top rows by total. */
export function mergeIrqTables(acc: IrqTable | null, next: IrqTable, top = 20): IrqTable {
  if (!acc) return next;
  const rows = new Map(acc.rows.map((r) => [r.name, { ...r, perNode: [...r.perNode] }]));
  for (const r of next.rows) {
    const seen = rows.get(r.name);
    if (!seen) rows.set(r.name, { ...r, perNode: [...r.perNode] });
    else {
      seen.total += r.total;
      r.perNode.forEach((v, i) => (seen.perNode[i] = (seen.perNode[i] ?? 0) + v));
    }
  }
  const perCpu = new Map(acc.perCpu.map((c) => [c.cpu, { ...c }]));
  for (const c of next.perCpu) {
    const seen = perCpu.get(c.cpu);
    if (seen) seen.total += c.total;
    else perCpu.set(c.cpu, { ...c });
  }
  return {
    nodes: acc.nodes,
    rows: [...rows.values()].sort((a, b) => b.total - a.total).slice(0, top),
    perCpu: [...perCpu.values()].sort((a, b) => a.cpu - b.cpu),
  };
}
