import type { TaskExit } from '../../kernel/taskstats.js';
import type { TaskReading, TaskTracker } from './tasks.js';

/**
 * The exits that were the workload's, in the order the kernel sent them: its main process
 * and the threads a poll saw in the repetition cgroup (each at its first exit: a later one
 * with the same number is a stranger that got the pid again), and any task whose parent or
 * thread group leader was the workload's and still alive when it exited: the parent's exit
 * comes later in the stream, or the parent was polled and has not exited yet. Exit
 * notifications name no cgroup, and a task that lived less than one poll interval was never
 * seen, but its parent (hackbench's main process, a shell) lives longer. pids are reused
 * within minutes on a busy machine, hence the order. A child reparented to init before it
 * exited is lost to this. Pure.
 */
export function workloadExits(exits: readonly TaskExit[], known: (tid: number) => boolean): TaskExit[] {
  const at = new Map<number, number[]>();
  exits.forEach((x, i) => at.set(x.tid, [...(at.get(x.tid) ?? []), i]));
  const firstExit = (tid: number) => at.get(tid)?.[0] ?? Infinity;
  /** The exit of `tid` that follows index i: the parent's, when it outlived the child. */
  const exitAfter = (tid: number, i: number) => at.get(tid)?.find((j) => j > i) ?? null;
  const lastBefore = (tid: number, i: number) => [...(at.get(tid) ?? [])].reverse().find((j) => j < i) ?? null;
  const memo = new Map<number, boolean>();
  const member = (i: number): boolean => {
    const cached = memo.get(i);
    if (cached !== undefined) return cached;
    const x = exits[i]!;
    let own = known(x.tid) && firstExit(x.tid) === i;
    if (!own && x.tgid !== x.tid) {
      // A thread group leader may exit before its threads; its pid is not reused until they have.
      const j = exitAfter(x.tgid, i) ?? lastBefore(x.tgid, i);
      own = j !== null ? member(j) : known(x.tgid);
    }
    if (!own) {
      const j = exitAfter(x.ppid, i);
      own = j !== null ? member(j) : known(x.ppid) && firstExit(x.ppid) > i;
    }
    memo.set(i, own);
    return own;
  };
  // From the last exit back, so a parent is decided before its children ask (no deep recursion).
  for (let i = exits.length - 1; i >= 0; i--) member(i);
  return exits.filter((_, i) => memo.get(i) === true);
}

/** An exit as the tracker's last reading of that thread: the same counters schedstat and status give, final. */
export function exitReading(x: TaskExit): TaskReading {
  return {
    tid: x.tid,
    schedstat: { runNs: x.runNs, runDelayNs: x.runDelayNs, timeslices: x.timeslices },
    status: { name: x.name, voluntaryCtxtSwitches: x.voluntary, nonvoluntaryCtxtSwitches: x.involuntary },
  };
}

/** Feeds the workload's exits to the tracker; returns how many were the workload's. */
export function observeExits(tracker: TaskTracker, exits: readonly TaskExit[], rootPid: number | null): number {
  const own = workloadExits(exits, (tid) => tid === rootPid || tracker.has(tid));
  for (const x of own) tracker.observeExit(exitReading(x));
  return own.length;
}
