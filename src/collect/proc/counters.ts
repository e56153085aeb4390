/** /proc/interrupts and /proc/softirqs print `unsigned int` counters: they wrap at 2^32. */
export const COUNTER_WRAP = 2 ** 32;

export type CounterStep =
  | { kind: 'ok'; delta: number }
  /** The counter passed 2^32 between the two reads. */
  | { kind: 'wrap'; delta: number }
  /** The counter went back to a small value: the IRQ was freed and allocated again (driver reload), so it restarted at 0. */
  | { kind: 'reset'; delta: number };

/**
 * The increase of a 32-bit kernel counter between two reads. A decrease is a wrap when the
 * wrapped distance is plausible (under 2^31 events between two reads, far beyond what any
 * IRQ does in a sampling interval); otherwise the counter was reset and started again from 0.
 */
export function counterStep(before: number, after: number): CounterStep {
  if (after >= before) return { kind: 'ok', delta: after - before };
  const wrapped = after + COUNTER_WRAP - before;
  if (wrapped < COUNTER_WRAP / 2) return { kind: 'wrap', delta: wrapped };
  return { kind: 'reset', delta: after };
}

/** A row of per-CPU counters as /proc/interrupts and /proc/softirqs print them. */
export interface CpuCounterRow {
  /** What identifies the row across snapshots. */
  key: string;
  /** One count per column of the table's `cpus`, or null for one-column rows (ERR, MIS). */
  perCpu: number[] | null;
  /** Sum over the columns, or the single value of a one-column row. */
  total: number;
}

export interface CpuCounterTable<R extends CpuCounterRow> {
  /** CPU number of each column, from the header. */
  cpus: number[];
  rows: R[];
}

export interface CpuCounterRowDelta<R extends CpuCounterRow> {
  /** The row as in the later snapshot. */
  row: R;
  /** Increase per CPU of the delta's `cpus`; empty for one-column rows. */
  perCpu: number[];
  total: number;
}

export interface CpuCounterDelta<R extends CpuCounterRow> {
  /** CPUs with a column in both snapshots: the only ones whose increase is known. */
  cpus: number[];
  rows: Array<CpuCounterRowDelta<R>>;
  /** Rows only in the later snapshot, counted from 0 (a new IRQ starts at 0; a row hidden while it had no counts had none). */
  appeared: string[];
  /** Rows only in the earlier snapshot: what they counted after it is lost. */
  vanished: string[];
  /**
   * CPUs that came online: their column kept its value from before they went offline, which
   * this pair of snapshots cannot know, so they are not counted in this interval.
   */
  cpusCameOnline: number[];
  /** CPUs that went offline: their counts after the earlier snapshot are lost. */
  cpusWentOffline: number[];
  /** `key@cpuN` (or `key` for one-column rows) of counters that wrapped. */
  wrapped: string[];
  /** `key@cpuN` of counters that restarted from 0. */
  reset: string[];
}

/** The increase of every counter between two snapshots of the same file, aligned by row key and CPU number. */
export function diffCpuCounters<R extends CpuCounterRow>(before: CpuCounterTable<R>, after: CpuCounterTable<R>): CpuCounterDelta<R> {
  const beforeCol = new Map(before.cpus.map((cpu, i) => [cpu, i]));
  const afterCpus = new Set(after.cpus);
  const cpus = after.cpus.filter((c) => beforeCol.has(c));
  const afterIdx = cpus.map((c) => after.cpus.indexOf(c));
  const beforeIdx = cpus.map((c) => beforeCol.get(c)!);
  const beforeRows = new Map(before.rows.map((r) => [r.key, r]));
  const out: CpuCounterDelta<R> = {
    cpus,
    rows: [],
    appeared: [],
    vanished: [],
    cpusCameOnline: after.cpus.filter((c) => !beforeCol.has(c)),
    cpusWentOffline: before.cpus.filter((c) => !afterCpus.has(c)),
    wrapped: [],
    reset: [],
  };
  const note = (step: CounterStep, where: string) => {
    if (step.kind === 'wrap') out.wrapped.push(where);
    else if (step.kind === 'reset') out.reset.push(where);
  };
  for (const row of after.rows) {
    const prev = beforeRows.get(row.key);
    if (!prev) out.appeared.push(row.key);
    if (row.perCpu === null) {
      const step = prev ? counterStep(prev.total, row.total) : { kind: 'ok' as const, delta: row.total };
      note(step, row.key);
      out.rows.push({ row, perCpu: [], total: step.delta });
      continue;
    }
    const perCpu = cpus.map((cpu, i) => {
      const now = row.perCpu![afterIdx[i]!] ?? 0;
      if (!prev?.perCpu) return now;
      const step = counterStep(prev.perCpu[beforeIdx[i]!] ?? 0, now);
      note(step, `${row.key}@cpu${cpu}`);
      return step.delta;
    });
    out.rows.push({ row, perCpu, total: perCpu.reduce((a, b) => a + b, 0) });
  }
  const afterKeys = new Set(after.rows.map((r) => r.key));
  for (const row of before.rows) if (!afterKeys.has(row.key)) out.vanished.push(row.key);
  return out;
}

/** Reads the CPU numbers from a /proc/interrupts or /proc/softirqs header (`CPU0 CPU1 CPU3`). */
export function parseCpuHeader(line: string): number[] {
  return [...line.matchAll(/CPU(\d+)/g)].map((m) => Number(m[1]));
}

/**
 * Splits `   12    34   rest text` into up to `max` leading counts and the text after them,
 * keeping the rest verbatim (handler names may hold runs of spaces).
 */
export function leadingCounts(text: string, max: number): { counts: number[]; rest: string } {
  const counts: number[] = [];
  const re = /\s*(\d+)(?=\s|$)/y;
  let pos = 0;
  while (counts.length < max) {
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) break;
    counts.push(Number(m[1]));
    pos = re.lastIndex;
  }
  return { counts, rest: text.slice(pos) };
}
