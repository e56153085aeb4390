import type { MetricPoint } from '../../metrics/types.js';
import { BLOCKING_SYSCALLS, syscallName } from '../../kernel/syscalls/table.js';
import { SOFTIRQ_NAMES } from '../ebpf/metrics.js';
import type { Dump, GroupKind } from './dump.js';
import type { GroupNamer } from './groups.js';

export interface ThreadMetricContext {
  group: GroupNamer;
  syscallTable: Readonly<Record<number, string>>;
  irqNames: Readonly<Record<number, string>>;
  excludeBlocking: boolean;
}

interface Acc {
  count: number;
  total: number;
  max: number;
  min: number;
}

const ns = (name: string, value: number): MetricPoint => ({ name, unit: 'ns', better: 'lower', value, source: 'ebpf', zeroWhenAbsent: true });
const count = (name: string, value: number): MetricPoint => ({ name, unit: '1', better: 'lower', value, source: 'ebpf', zeroWhenAbsent: true });

function add(m: Map<string, Acc>, key: string, r: Acc): void {
  const a = m.get(key);
  if (!a) m.set(key, { ...r });
  else {
    a.count += r.count;
    a.total += r.total;
    a.max = Math.max(a.max, r.max);
    if (r.min > 0 && (a.min === 0 || r.min < a.min)) a.min = r.min;
  }
}

/** The workload's on-CPU time as a whole (every admitted task's periods between two switches). */
export function runMetrics(dump: Dump): MetricPoint[] {
  if (!dump.run) return [];
  return [count('sched.run.count', dump.run.count), ns('sched.run.total', dump.run.total)];
}

function nameOf(kind: GroupKind, id: number, ctx: ThreadMetricContext): string {
  if (kind === 'syscall') return syscallName(ctx.syscallTable, id);
  if (kind === 'hardirq') return ctx.irqNames[id] ?? `irq${id}`;
  if (kind === 'softirq') return SOFTIRQ_NAMES[id] ?? `vec${id}`;
  return '';
}

/**
 * `thread.<group>.*` of one repetition, kernel_delay's per-thread view with threads folded
 * into groups: syscalls, run time, ready delay, interrupts that landed on the group. Pure.
 */
export function threadMetrics(dump: Dump, ctx: ThreadMetricContext): MetricPoint[] {
  const rows = new Map<string, Acc>();
  const all = new Map<string, Acc>();
  for (const r of dump.grp) {
    const g = ctx.group(r.comm);
    const name = nameOf(r.kind, r.id, ctx);
    add(rows, r.kind === 'run' ? `${g}\0run` : `${g}\0${r.kind}.${name}`, r);
    if (r.kind === 'syscall' && !(ctx.excludeBlocking && BLOCKING_SYSCALLS.has(name))) add(all, g, r);
  }
  for (const r of dump.rd) add(rows, `${ctx.group(r.comm)}\0ready`, { ...r, min: 0 });
  const out: MetricPoint[] = [];
  for (const [key, a] of [...rows].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const [g, what] = key.split('\0') as [string, string];
    const p = `thread.${g}.${what}`;
    if (what === 'run') out.push(count(`${p}.count`, a.count), ns(`${p}.total`, a.total), ns(`${p}.min`, a.min), ns(`${p}.max`, a.max));
    else if (what === 'ready') out.push(count(`${p}.count`, a.count), ns(`${p}.total`, a.total), ns(`${p}.max`, a.max));
    else if (what.startsWith('syscall.')) out.push(count(`${p}.count`, a.count), ns(`${p}.total`, a.total), ns(`${p}.max`, a.max));
    else out.push(count(`${p}.count`, a.count), ns(`${p}.time`, a.total), ns(`${p}.max`, a.max));
  }
  for (const [g, a] of [...all].sort((x, y) => (x[0] < y[0] ? -1 : 1))) out.push(count(`thread.${g}.syscall.all.count`, a.count), ns(`thread.${g}.syscall.all.total`, a.total));
  return out;
}
