/**
 * The time and CPU dimension of a scenario, per counted repetition, as report.json keeps it
 * for the pictures in report.html. Arrays are indexed, not keyed, so a repetition of a
 * 2-CPU machine with 100 slots stays a few kilobytes.
 */

/**
 * Per-CPU interrupt counts of one repetition over time, from the /proc sampler. Interval i
 * runs from `t[i]` to `t[i + 1]` (seconds since the repetition's first sample), so every row
 * has `t.length - 1` entries; adjacent intervals are merged to keep at most
 * `CPU_SERIES_MAX_INTERVALS` of them.
 */
export interface ProcCpuSeries {
  /** 1-based counted repetition. */
  repetition: number;
  t: number[];
  /** CPU number of each row. */
  cpus: number[];
  /** NUMA node of each row's CPU, -1 when unknown. */
  nodes: number[];
  /** Device (numbered) interrupts per [cpu row][interval], as `irq.cpu<N>.count` counts them. */
  irq: number[][];
  /** Architecture rows of /proc/interrupts (LOC, RES, CAL, TLB, ...) summed, per [cpu row][interval]. */
  arch: number[][];
  /** Soft interrupts by lower-case vector (`net_rx`, `timer`), per [cpu row][interval]; vectors that never fired are left out. */
  softirq: Record<string, number[][]>;
}

/**
 * Where the workload's thread groups ran, in fixed time slots of one repetition, from the
 * eBPF capture. Slot s covers [s * slotNs, (s + 1) * slotNs) after the repetition started.
 */
export interface SchedTimeline {
  /** 1-based counted repetition. */
  repetition: number;
  /** Slot length in ns, chosen so a repetition has 20 to 100 slots (fewer when it is shorter than 200 ms). */
  slotNs: number;
  /** Number of slots; every per-slot array has this length. */
  slots: number;
  /** CPU number of each per-CPU row. */
  cpus: number[];
  /** NUMA node of each per-CPU row, -1 when unknown; absent when the capture does not know. */
  nodes?: number[];
  groups: Array<{
    /** The folded thread name (`worker*`) or the scenario's role. */
    name: string;
    /** ns on CPU per [cpu row][slot]. */
    onCpuNs: number[][];
    /** Context switches in (the group's threads switched onto the CPU) per [cpu row][slot]. */
    switches: number[][];
  }>;
  /** Ready delay of all the workload's threads that ended a wait in the slot, ns per slot. */
  readyDelayNs: number[];
  /** Events the bounded maps could not hold (slot past the end, group table full): 0 when nothing was dropped. */
  lost: number;
}

export const CPU_SERIES_MAX_INTERVALS = 200;
