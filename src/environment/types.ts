/**
 * What makes two runs comparable. Baselines are only compared against runs with the same
 * fingerprint (see notes/statistics.md, point 8).
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
