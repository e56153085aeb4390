import { diffCpuCounters, leadingCounts, parseCpuHeader, type CpuCounterDelta, type CpuCounterRow, type CpuCounterTable } from './counters.js';

export interface SoftirqRow extends CpuCounterRow {
  /** As printed: `HI`, `TIMER`, `NET_TX`, `NET_RX`, `BLOCK`, `IRQ_POLL`, `TASKLET`, `SCHED`, `HRTIMER`, `RCU`. */
  vector: string;
}

export type SoftirqTable = CpuCounterTable<SoftirqRow>;
export type SoftirqDelta = CpuCounterDelta<SoftirqRow>;

/**
 * Parses /proc/softirqs. Recent kernels print a column per possible CPU, older ones per
 * online CPU; the header says which CPUs the columns are, so both parse the same way.
 */
export function parseSoftirqs(text: string): SoftirqTable {
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => /CPU\d+/.test(l) && !l.includes(':'));
  const cpus = headerAt >= 0 ? parseCpuHeader(lines[headerAt]!) : [];
  const rows: SoftirqRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    const m = /^\s*([A-Z_a-z0-9]+):(.*)$/.exec(line);
    if (!m) continue;
    const { counts } = leadingCounts(m[2]!, cpus.length);
    if (counts.length !== cpus.length) continue;
    rows.push({ key: m[1]!, vector: m[1]!, perCpu: counts, total: counts.reduce((a, b) => a + b, 0) });
  }
  return { cpus, rows };
}

export function diffSoftirqs(before: SoftirqTable, after: SoftirqTable): SoftirqDelta {
  return diffCpuCounters(before, after);
}
