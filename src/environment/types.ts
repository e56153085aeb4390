/**
 * What makes two runs comparable. Baselines are only compared against runs with the same
 * fingerprint: a different CPU, kernel, governor or IRQ affinity moves the numbers by more
 * than most tolerances, so a difference there says nothing about the code under test.
 */
export interface Fingerprint {
  arch: string;
  cpuModel: string;
  cpuCount: number;
  numaNodes: number;
  smt: boolean;
  kernelRelease: string;
  governor: string | null;
  bpftraceVersion: string | null;
  /** sha256 (first 16 hex) of every IRQ's smp_affinity_list: a moved IRQ changes every distribution metric. */
  irqAffinityDigest: string;
  nodeVersion: string;
}

/** What this machine can measure, as probed once per run (src/environment/probe.ts). */
export interface MachineFacts {
  isRoot: boolean;
  /** CAP_BPF and CAP_PERFMON in the effective set (enough for bpftrace without root). */
  hasBpfCaps: boolean;
  bpftrace: { path: string; version: string } | null;
  /** Where tracefs is mounted, or null when it is not. */
  tracefs: string | null;
  btf: boolean;
  /** The cgroup2 mount point, or null (pure-v1 host). */
  cgroup2: string | null;
  /** /proc/self/schedstat readable (CONFIG_SCHED_INFO): per-task run_delay. */
  schedstat: boolean;
  /** /proc/pressure/cpu readable (PSI). */
  psi: boolean;
  onlineCpus: number[];
  /** NUMA node per online CPU; a machine without /sys/devices/system/node is one node 0. */
  cpuNode: Record<number, number>;
  numaNodes: number[];
  smt: boolean;
  governor: string | null;
  irqbalanceRunning: boolean;
  kernelRelease: string;
  arch: string;
  cpuModel: string;
}
