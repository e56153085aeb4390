/** /proc/<pid>/task/<tid>/schedstat (CONFIG_SCHED_INFO): the kernel's own per-thread run-queue accounting. */
export interface TaskSchedstat {
  /** Time spent on a CPU, ns. */
  runNs: number;
  /** Time spent runnable, waiting on a run queue, ns. */
  runDelayNs: number;
  /** Times the task was switched in. */
  timeslices: number;
}

/** Parses the three numbers of a task's schedstat file; null when it does not hold them. */
export function parseTaskSchedstat(text: string): TaskSchedstat | null {
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s*$/.exec(text);
  if (!m) return null;
  return { runNs: Number(m[1]), runDelayNs: Number(m[2]), timeslices: Number(m[3]) };
}

export interface TaskStatus {
  /** The thread's comm (at most 15 bytes; the kernel escapes `\n` and `\\`). */
  name: string;
  voluntaryCtxtSwitches: number;
  nonvoluntaryCtxtSwitches: number;
}

/** Picks the name and context-switch counts out of /proc/<pid>/task/<tid>/status; null when one is missing. */
export function parseTaskStatus(text: string): TaskStatus | null {
  let name: string | null = null;
  let voluntary: number | null = null;
  let nonvoluntary: number | null = null;
  for (const line of text.split('\n')) {
    const tab = line.indexOf(':');
    if (tab < 0) continue;
    const key = line.slice(0, tab);
    // The value follows a tab; a name may itself begin or end with spaces, so only the tab is removed.
    const value = line.slice(tab + 1).replace(/^\t/, '');
    if (key === 'Name') name = value;
    else if (key === 'voluntary_ctxt_switches') voluntary = Number(value.trim());
    else if (key === 'nonvoluntary_ctxt_switches') nonvoluntary = Number(value.trim());
  }
  if (name === null || voluntary === null || nonvoluntary === null) return null;
  if (!Number.isFinite(voluntary) || !Number.isFinite(nonvoluntary)) return null;
  return { name, voluntaryCtxtSwitches: voluntary, nonvoluntaryCtxtSwitches: nonvoluntary };
}
