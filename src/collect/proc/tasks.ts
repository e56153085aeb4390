import type { TaskSchedstat, TaskStatus } from '../../kernel/task.js';

/** One poll of one thread: either file may be missing (thread exited between the reads, no CONFIG_SCHED_INFO). */
export interface TaskReading {
  tid: number;
  schedstat: TaskSchedstat | null;
  status: TaskStatus | null;
}

export interface TaskCounters {
  runNs: number;
  runDelayNs: number;
  timeslices: number;
  voluntary: number;
  involuntary: number;
}

interface TrackedTask {
  name: string;
  base: TaskCounters;
  last: TaskCounters;
}

export interface TaskTotals extends TaskCounters {
  /** Threads seen by at least one poll. */
  threadsSeen: number;
  /** Of those, threads whose schedstat / status could be read. */
  withSchedstat: number;
  withStatus: number;
}

const ZERO: TaskCounters = { runNs: 0, runDelayNs: 0, timeslices: 0, voluntary: 0, involuntary: 0 };

function countersOf(r: TaskReading, fallback: TaskCounters): TaskCounters {
  return {
    runNs: r.schedstat?.runNs ?? fallback.runNs,
    runDelayNs: r.schedstat?.runDelayNs ?? fallback.runDelayNs,
    timeslices: r.schedstat?.timeslices ?? fallback.timeslices,
    voluntary: r.status?.voluntaryCtxtSwitches ?? fallback.voluntary,
    involuntary: r.status?.nonvoluntaryCtxtSwitches ?? fallback.involuntary,
  };
}

function add(a: TaskCounters, b: TaskCounters, sign = 1): TaskCounters {
  return {
    runNs: a.runNs + sign * b.runNs,
    runDelayNs: a.runDelayNs + sign * b.runDelayNs,
    timeslices: a.timeslices + sign * b.timeslices,
    voluntary: a.voluntary + sign * b.voluntary,
    involuntary: a.involuntary + sign * b.involuntary,
  };
}

/**
 * Keeps, per thread of the workload, the counters at the start of the repetition and at the
 * last poll. A thread's files vanish when it exits, so what it did after its last poll is
 * lost; polling keeps the rest. Threads already in the cgroup at the start count from their
 * values then; threads first seen later were born during the repetition and count from 0.
 */
export class TaskTracker {
  private readonly tasks = new Map<number, TrackedTask>();
  private retired: TaskCounters = { ...ZERO };
  private readonly sawSchedstat = new Set<number>();
  private readonly sawStatus = new Set<number>();

  observe(readings: readonly TaskReading[], atStart: boolean): void {
    for (const r of readings) {
      if (!r.schedstat && !r.status) continue;
      if (r.schedstat) this.sawSchedstat.add(r.tid);
      if (r.status) this.sawStatus.add(r.tid);
      const known = this.tasks.get(r.tid);
      if (!known) {
        const now = countersOf(r, ZERO);
        this.tasks.set(r.tid, { name: r.status?.name ?? '', base: atStart ? now : { ...ZERO }, last: now });
        continue;
      }
      const now = countersOf(r, known.last);
      // Counters never go down for one thread: a drop means the tid was reused by a new thread.
      if (now.runNs < known.last.runNs || now.voluntary < known.last.voluntary) {
        this.retired = add(this.retired, add(known.last, known.base, -1));
        this.tasks.set(r.tid, { name: r.status?.name ?? known.name, base: { ...ZERO }, last: now });
        continue;
      }
      known.last = now;
      if (r.status) known.name = r.status.name;
    }
  }

  /**
   * A thread's counters at its exit, known to be the same thread as the one polled (no reuse
   * test). The exit's run time can be a little behind the last poll's (/proc adds the running
   * slice not yet folded in), so each counter keeps the larger of the two.
   */
  observeExit(r: TaskReading): void {
    const known = this.tasks.get(r.tid);
    if (!known) {
      this.observe([r], false);
      return;
    }
    const now = countersOf(r, known.last);
    const l = known.last;
    known.last = {
      runNs: Math.max(l.runNs, now.runNs),
      runDelayNs: Math.max(l.runDelayNs, now.runDelayNs),
      timeslices: Math.max(l.timeslices, now.timeslices),
      voluntary: Math.max(l.voluntary, now.voluntary),
      involuntary: Math.max(l.involuntary, now.involuntary),
    };
  }

  /** Whether a poll has seen this thread in the repetition cgroup. */
  has(tid: number): boolean {
    return this.tasks.has(tid);
  }

  totals(): TaskTotals {
    let sum = { ...this.retired };
    for (const t of this.tasks.values()) sum = add(sum, add(t.last, t.base, -1));
    return { ...sum, threadsSeen: this.tasks.size, withSchedstat: this.sawSchedstat.size, withStatus: this.sawStatus.size };
  }
}
