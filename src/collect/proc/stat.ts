/** /proc/stat time columns are in USER_HZ ticks, which the kernel fixes at 100 on every architecture it still supports. */
export const USER_HZ = 100;
export const NS_PER_TICK = 1e9 / USER_HZ;

/** One `cpuN` line of /proc/stat, in USER_HZ ticks. */
export interface CpuTimes {
  cpu: number;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  /** Time servicing hard interrupts (only with CONFIG_IRQ_TIME_ACCOUNTING; else 0 or sampled). */
  irq: number;
  softirq: number;
  steal: number;
}

export interface ProcStat {
  /** Context switches since boot, all CPUs. */
  ctxt: number;
  /** Interrupts serviced since boot (first number of `intr`): every row of /proc/interrupts, arch rows included. */
  intrTotal: number;
  /** Runnable tasks now (running or queued), the reader itself included. */
  procsRunning: number;
  /** Tasks in uninterruptible sleep waiting for I/O now. */
  procsBlocked: number;
  /** First number of `softirq`, or null on kernels without the line. */
  softirqTotal: number | null;
  /** Per-CPU times of CPUs with a line (online CPUs). */
  cpus: CpuTimes[];
}

/** Parses /proc/stat. Returns null when a required line (ctxt, intr, procs_running, procs_blocked) is missing. */
export function parseProcStat(text: string): ProcStat | null {
  let ctxt: number | null = null;
  let intrTotal: number | null = null;
  let procsRunning: number | null = null;
  let procsBlocked: number | null = null;
  let softirqTotal: number | null = null;
  const cpus: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const key = f[0];
    const first = Number(f[1]);
    if (key === 'ctxt') ctxt = first;
    else if (key === 'intr') intrTotal = first;
    else if (key === 'procs_running') procsRunning = first;
    else if (key === 'procs_blocked') procsBlocked = first;
    else if (key === 'softirq') softirqTotal = first;
    else if (key && /^cpu\d+$/.test(key)) {
      const v = f.slice(1).map(Number);
      cpus.push({
        cpu: Number(key.slice(3)),
        user: v[0] ?? 0,
        nice: v[1] ?? 0,
        system: v[2] ?? 0,
        idle: v[3] ?? 0,
        iowait: v[4] ?? 0,
        irq: v[5] ?? 0,
        softirq: v[6] ?? 0,
        steal: v[7] ?? 0,
      });
    }
  }
  if (ctxt === null || intrTotal === null || procsRunning === null || procsBlocked === null) return null;
  if ([ctxt, intrTotal, procsRunning, procsBlocked].some((n) => !Number.isFinite(n))) return null;
  return { ctxt, intrTotal, procsRunning, procsBlocked, softirqTotal, cpus };
}
