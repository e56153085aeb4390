import type { MetricPoint } from '../metrics/types.js';
import type { CgroupRef, TaskSet } from '../collect/types.js';

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

/** A workload ready to run repetitions (e.g. a tinybench module already imported). */
export interface PreparedWorkload {
  run(ctx: RunContext): Promise<WorkloadOutcome>;
  /** True for in-process workloads, which cannot be put in a cgroup of their own. */
  inProcess: boolean;
}
