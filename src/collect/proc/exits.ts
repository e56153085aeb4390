import type { TaskExit } from '../../kernel/taskstats.js';
import type { TaskReading, TaskTracker } from './tasks.js';

/**
 * The exits that were the workload's: its main process, a thread a poll saw in the repetition cgroup, and,
 * transitively, any task whose parent or thread group was one of the workload's. Exit
 * notifications name no cgroup, and a task that lived less than one poll interval was never
 * seen, but its parent (hackbench's main process, a shell) lives longer and was. A child
 * reparented to init before it exited is lost to this. Pure.
 */
export function workloadExits(exits: readonly TaskExit[], known: (tid: number) => boolean): TaskExit[] {
  const members = new Set<number>();
  const taken = new Set<number>();
  for (let changed = true; changed; ) {
    changed = false;
    exits.forEach((x, i) => {
      if (taken.has(i)) return;
      const inside = (id: number) => known(id) || members.has(id);
      if (!inside(x.tid) && !inside(x.tgid) && !inside(x.ppid)) return;
      taken.add(i);
      members.add(x.tid);
      members.add(x.tgid);
      changed = true;
    });
  }
  return exits.filter((_, i) => taken.has(i));
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
  tracker.observe(own.map(exitReading), false);
  return own.length;
}
