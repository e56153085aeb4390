import type { CgroupRef } from '../kernel/cgroup.js';
import type { MachineFacts } from '../environment/types.js';
import type { Metric, MetricPoint } from '../metrics/types.js';
import type { CollectorName, CollectSpec, Scenario, WorkloadSpec } from '../scenario/types.js';
import type { ProcCpuSeries, SchedTimeline } from './timeline.js';
import type { SlowCallEvents, SlowCallRepetition } from './syscall-events.js';

// The runner's contracts with what it drives. They live here, at the runner, so collectors
// and workloads (the stages below it) implement them and the runner never imports them: the
// real ones are handed in by the command, fakes by the tests.

export type { CgroupRef } from '../kernel/cgroup.js';
export type { CollectorName } from '../scenario/types.js';

/** Whether a collector can run on this machine, and if not, why and what it costs. */
export type Availability =
  | { state: 'ready'; detail?: string }
  | {
      state: 'unavailable';
      reason: string;
      /** A command or step that fixes it. */
      fix?: string;
      /** Metric names or patterns this takes away, e.g. `sched.ready_delay.*`. */
      disables: string[];
    };

/** One repetition as collectors see it. */
export interface RepetitionRef {
  /** 0-based across warm-up and counted repetitions. */
  index: number;
  warmup: boolean;
  /** null when cgroup v2 could not be used; then `pid` identifies the workload. */
  cgroup: CgroupRef | null;
  /** The cgroup of the scenario's service, which the repetition's workload drives (the same in every repetition). */
  service?: CgroupRef | null;
}

/** irqstat's headline view: top IRQs with their count per NUMA node, summed over the counted repetitions. */
export interface IrqTable {
  nodes: number[];
  rows: Array<{ irq: string; name: string; total: number; perNode: number[] }>;
  perCpu: Array<{ cpu: number; node: number; total: number }>;
}

/** What a collector measured in one repetition. */
export interface RepetitionCapture {
  metrics: MetricPoint[];
  /** Data lost or doubtful in this repetition (map full, lost events, bpftrace warnings). Never silently averaged in. */
  lost: string[];
  /** Things worth telling the reader that are not loss (which source filled a metric, sampling). */
  notes: string[];
  /** Optional time series (the /proc sampler's snapshots) for plots: seconds since start -> values. */
  series?: Array<{ t: number; values: Record<string, number> }>;
  /** Collector-specific tables for the report; `irq` is the irqstat view the runner sums. */
  tables?: { irq?: IrqTable; cpuSeries?: Omit<ProcCpuSeries, 'repetition'>; timeline?: Omit<SchedTimeline, 'repetition'>; syscallEvents?: Omit<SlowCallRepetition, 'repetition'> } & Record<string, unknown>;
}

/** The workload's tasks in one repetition, as far as the runner could see them. */
export interface TaskSet {
  /** The workload's main pid (null for in-process tinybench workloads). */
  pid: number | null;
  /**
   * Per-thread schedstat (run_delay = ns waited on a run queue) read by each thread just
   * before it exited. Only workloads that report it (the builtin C loads) fill this; a
   * thread's counters vanish with it, so an outside poll can only approximate them.
   */
  threads: Array<{ tid: number; comm: string; runDelayNs: number; runNs: number; timeslices: number }>;
}

/**
 * A collector for one scenario. The runner calls, in order: start (once, with every
 * repetition's cgroup already created), then beforeRepetition / afterRepetition around each
 * workload run, and stop (always, in a finally, also after errors and signals; idempotent).
 * afterRepetition receives the pids and tids seen in the repetition (for schedstat reads).
 *
 * A KdeltaError thrown by start means the collector cannot run in this scenario; one thrown
 * by beforeRepetition or afterRepetition means it died: the runner stops it, keeps what it
 * measured before, and reports its metrics unavailable from that repetition on.
 */
export interface CollectorSession {
  readonly name: CollectorName;
  start(repetitions: RepetitionRef[]): Promise<void>;
  beforeRepetition(rep: RepetitionRef): Promise<void>;
  afterRepetition(rep: RepetitionRef, tasks: TaskSet): Promise<RepetitionCapture>;
  stop(): Promise<void>;
}

/**
 * What one collector is, declared once in its own module: the metric patterns it provides
 * (what doctor, the run report and the verdicts say is lost when it cannot run), whether it
 * can run here, and how to start a session of it.
 */
export interface CollectorKind {
  readonly name: CollectorName;
  /** Metric names or `*` patterns (one `*` matches any run of characters, dots included). */
  readonly provides: readonly string[];
  availability(facts: MachineFacts): Availability;
  /** Set when the collector cannot tell the workload apart without repetition cgroups: why, for the report. */
  readonly withoutCgroups?: string;
  /**
   * A session for one scenario. `readyDelayTaken`: another collector already measures
   * `sched.ready_delay.total` in this scenario (the /proc sampler then names its figure
   * `sched.run_delay.total`).
   */
  create(spec: CollectSpec, facts: MachineFacts, context: { readyDelayTaken: boolean }): CollectorSession;
  /** Whether this session, started, measures `sched.ready_delay.total`. */
  measuresReadyDelay?(spec: CollectSpec): boolean;
}

/** A collector as the run report shows it. */
export interface CollectorStatus {
  name: CollectorName;
  enabled: boolean;
  availability: Availability;
  /** Which source filled which metrics, sampling, fallbacks. */
  notes: string[];
}

/** Where and how one repetition of a workload runs. */
export interface RunContext {
  /** The repetition's cgroup; the workload's whole process tree must be in it from its first instruction. */
  cgroup: CgroupRef | null;
  /** Aborts the repetition (SIGINT/SIGTERM to kdelta): the workload and its whole tree are killed. */
  signal: AbortSignal;
  /**
   * Called with the workload's main pid as soon as it is spawned (before it exits), for
   * collectors that follow a pid when there is no cgroup (the non-root fallback).
   */
  onStart?: (pid: number) => void;
}

export type WorkloadOutcome =
  | {
      state: 'ok';
      /** Monotonic wall time of the workload, ns. */
      wallTimeNs: number;
      /** workload.* figures the workload reported (regex, JSON lines, tinybench tasks). */
      metrics: MetricPoint[];
      tasks: TaskSet;
      /** stdout beyond the kept head and tail that was never read for figures. */
      cut?: { bytes: number; lines: number };
      /** Processes of the repetition found outside its cgroup at its end (killed then). */
      leftCgroup?: number;
    }
  | {
      state: 'failed';
      kind: 'exit' | 'signal' | 'timeout' | 'spawn' | 'aborted' | 'error';
      exitCode: number | null;
      signal: string | null;
      /** Last few KiB of stderr, for the report. */
      stderrTail: string;
      message: string;
    };

export type WorkloadFailed = Extract<WorkloadOutcome, { state: 'failed' }>;

/**
 * A long-running process a driver loads (a server), up from before the warm-up to the end of
 * the scenario. The runner calls start once, then beforeRepetition / afterRepetition around
 * each driver run, and stop always (in a finally; idempotent, never throws).
 */
export interface ServiceSession {
  /** Starts it in `ctx.cgroup` and waits until it is ready; failed when it dies first, is not ready in time, or kdelta is interrupted. */
  start(ctx: RunContext): Promise<{ state: 'ready' } | WorkloadFailed>;
  beforeRepetition(): Promise<void>;
  /** Its `service.*` points over the repetition, or failed when it died during it. */
  afterRepetition(): Promise<{ state: 'ok'; metrics: MetricPoint[] } | WorkloadFailed>;
  stop(): Promise<void>;
}

/** A workload ready to run repetitions (e.g. a tinybench module already imported). */
export interface PreparedWorkload {
  run(ctx: RunContext): Promise<WorkloadOutcome>;
  /** True for in-process workloads, which cannot be put in a cgroup of their own. */
  inProcess: boolean;
  /** The server the workload drives, started by the runner once per scenario. */
  service?: ServiceSession;
}

/** How the runner makes and removes the repetitions' cgroups (kernel/cgroup.ts in a real run). */
export interface CgroupOps {
  create(path: string): Promise<CgroupRef>;
  remove(path: string): Promise<void>;
}

/** The side effects of running a scenario, handed to the runner. */
export interface RunnerDeps {
  /** The collectors a scenario may ask for, in the order they start (eBPF first: see runner). */
  collectors: readonly CollectorKind[];
  /** `signal`: the first SIGINT/SIGTERM stops what preparing runs (a tinybench module's task listing). */
  prepareWorkload(spec: WorkloadSpec, signal?: AbortSignal): Promise<PreparedWorkload>;
  cgroups: CgroupOps;
  /** The pid in the run cgroup's name; a later run sweeps cgroups of pids no longer alive. */
  pid: number;
}

/** How the workload was told apart from the rest of the machine. */
export type Isolation = { kind: 'cgroup'; path: string } | { kind: 'pid' | 'none'; reason: string };

/** What was lost in one counted repetition: such repetitions are marked, not silently averaged in. */
export interface LostData {
  repetition: number;
  collector: CollectorName;
  what: string;
}

/**
 * Why some samples of a counted repetition cannot be trusted, as data: compare/ decides which
 * verdicts it makes inconclusive, report/ words it. Never silently averaged in.
 */
export type Doubt =
  | { kind: 'left-cgroup'; repetition: number; processes: number }
  | { kind: 'output-cut'; repetition: number; bytes: number; lines: number }
  | { kind: 'capture-lost'; repetition: number; entries: number; what: string };

/** A doubt and the metrics it touches: exact names, or patterns where `*` stands for any run of characters. */
export interface DoubtOn {
  doubt: Doubt;
  metrics: string[];
}

export interface RunFailure {
  /** 1-based, in the order repetitions ran, warm-ups included (the first warm-up is 1). */
  repetition: number;
  kind: string;
  exitCode: number | null;
  signal: string | null;
  message: string;
  stderrTail: string;
}

/** What running one scenario produced, before any comparison. */
export interface ScenarioRun {
  scenario: Scenario;
  repetitions: number;
  warmup: number;
  metrics: Metric[];
  collectors: CollectorStatus[];
  isolation: Isolation;
  lost: LostData[];
  /** What makes some verdicts inconclusive: a workload that left its cgroup, cut output, a full capture map. */
  doubts?: DoubtOn[];
  failure: RunFailure | null;
  irqTable: IrqTable | null;
  /** Per counted repetition, the /proc sampler's per-CPU interrupt and softirq counts over time. */
  cpuSeries?: ProcCpuSeries[];
  /** Per counted repetition, where the thread groups ran over time (eBPF). */
  timeline?: SchedTimeline[];
  /** Slow system calls per counted repetition (`collect.ebpf.syscalls.events`). */
  syscallEvents?: SlowCallEvents;
}
