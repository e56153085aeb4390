import { SOFTIRQ_NAMES } from '../../collect/ebpf/metrics.js';
import { syscallNumbers, syscallTableFor } from '../../kernel/syscalls/table.js';
import type { ScenarioReport } from '../types.js';

/*
 * The per-thread-group view of kernel_delay.py, read back from the `thread.<group>.*`
 * metrics of `collect.ebpf.threads: true`. Every figure is the median over the counted
 * repetitions, so a row reads as "a typical repetition".
 */

export interface CallRow {
  name: string;
  /** The syscall number, or the softirq vector number; null when not known on this architecture. */
  nr: number | null;
  count: number;
  total: number;
  max: number;
}

export interface GroupView {
  name: string;
  syscalls: CallRow[];
  /** `thread.<group>.syscall.all.*`: blocking calls left out of the total when `exclude_blocking` says so. */
  syscallAll: { count: number; total: number } | null;
  run: { count: number; total: number; min: number; max: number } | null;
  ready: { count: number; total: number; max: number } | null;
  hardirq: CallRow[];
  softirq: CallRow[];
}

// The group name may hold dots (a folded thread name); the parts after it never do.
const RUN_READY = /^thread\.(.+)\.(run|ready)\.(count|total|min|max)$/;
const PER_NAME = /^thread\.(.+)\.(syscall|hardirq|softirq)\.([^.]+)\.(count|total|time|max)$/;

type Stats = Partial<Record<'count' | 'total' | 'min' | 'max', number>>;

interface Raw {
  run: Stats;
  ready: Stats;
  per: Map<string, Stats>;
}

function rawGroups(s: ScenarioReport): Map<string, Raw> {
  const groups = new Map<string, Raw>();
  const of = (g: string): Raw => {
    let r = groups.get(g);
    if (!r) groups.set(g, (r = { run: {}, ready: {}, per: new Map() }));
    return r;
  };
  for (const m of s.metrics) {
    const v = m.summary.median;
    if (v === null || !Number.isFinite(v)) continue;
    const a = RUN_READY.exec(m.name);
    if (a) {
      of(a[1]!)[a[2] as 'run' | 'ready'][a[3] as keyof Stats] = v;
      continue;
    }
    const b = PER_NAME.exec(m.name);
    if (!b) continue;
    const key = `${b[2]}\0${b[3]}`;
    const per = of(b[1]!).per;
    const stats = per.get(key) ?? {};
    stats[b[4] === 'time' ? 'total' : (b[4] as 'count' | 'total' | 'max')] = v;
    per.set(key, stats);
  }
  return groups;
}

const byTotal = (a: CallRow, b: CallRow) => b.total - a.total || b.count - a.count || a.name.localeCompare(b.name);

function rowsOf(raw: Raw, kind: string, nr: (name: string) => number | null): CallRow[] {
  const out: CallRow[] = [];
  for (const [key, st] of raw.per) {
    const [k, name] = key.split('\0') as [string, string];
    if (k !== kind || (kind === 'syscall' && name === 'all')) continue;
    out.push({ name, nr: nr(name), count: st.count ?? 0, total: st.total ?? 0, max: st.max ?? 0 });
  }
  return out.sort(byTotal);
}

/**
 * Per thread group, largest first (on-CPU time, then system call time): what the group's
 * threads did in the kernel. Empty when the scenario was run without `collect.ebpf.threads`.
 */
export function groupViews(s: ScenarioReport, arch: string): GroupView[] {
  const table = syscallTableFor(arch);
  const numbers = table ? syscallNumbers(table) : new Map<string, number>();
  const sysNr = (name: string) => numbers.get(name) ?? null;
  const vecNr = (name: string) => {
    const i = SOFTIRQ_NAMES.indexOf(name);
    return i < 0 ? null : i;
  };
  const views = [...rawGroups(s)].map(([name, raw]): GroupView => {
    const all = raw.per.get('syscall\0all');
    const { run, ready } = raw;
    return {
      name,
      syscalls: rowsOf(raw, 'syscall', sysNr),
      syscallAll: all ? { count: all.count ?? 0, total: all.total ?? 0 } : null,
      run: run.count === undefined && run.total === undefined ? null : { count: run.count ?? 0, total: run.total ?? 0, min: run.min ?? 0, max: run.max ?? 0 },
      ready: ready.count === undefined && ready.total === undefined ? null : { count: ready.count ?? 0, total: ready.total ?? 0, max: ready.max ?? 0 },
      hardirq: rowsOf(raw, 'hardirq', () => null),
      softirq: rowsOf(raw, 'softirq', vecNr),
    };
  });
  const sysTotal = (g: GroupView) => g.syscallAll?.total ?? g.syscalls.reduce((a, r) => a + r.total, 0);
  return views.sort((a, b) => (b.run?.total ?? 0) - (a.run?.total ?? 0) || sysTotal(b) - sysTotal(a) || a.name.localeCompare(b.name));
}

/** Interrupt time that landed on a group: hard and soft together. */
export function irqTime(g: GroupView): { count: number; total: number } {
  const rows = [...g.hardirq, ...g.softirq];
  return { count: rows.reduce((a, r) => a + r.count, 0), total: rows.reduce((a, r) => a + r.total, 0) };
}
