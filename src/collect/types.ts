import type { CgroupRef } from '../kernel/cgroup.js';
import type { MetricPoint } from '../metrics/types.js';

export type { CgroupRef } from '../kernel/cgroup.js';

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
  /** Collector-specific tables for the report, e.g. the irqstat view. */
  tables?: Record<string, unknown>;
}

/**
 * A collector for one scenario. The runner calls, in order: start (once, with every
 * repetition's cgroup already created), then beforeRepetition / afterRepetition around each
 * workload run, and stop (always, in a finally, also after errors and signals; idempotent).
 * afterRepetition receives the pids and tids seen in the repetition (for schedstat reads).
 */
export interface CollectorSession {
  readonly name: 'proc' | 'ebpf';
  start(repetitions: RepetitionRef[]): Promise<void>;
  beforeRepetition(rep: RepetitionRef): Promise<void>;
  afterRepetition(rep: RepetitionRef, tasks: TaskSet): Promise<RepetitionCapture>;
  stop(): Promise<void>;
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
