import { histogramFromBuckets, histogramPercentile } from '../../metrics/histogram.js';
import type { Histogram, MetricPoint } from '../../metrics/types.js';
import type { EbpfSpec } from '../../scenario/types.js';
import { SOFTIRQ_NAMES } from '../ebpf/metrics.js';
import { BLOCKING_SYSCALLS, syscallName } from '../../kernel/syscalls/table.js';
import type { Dump, IrqRow } from './dump.js';
import { groupNamer, type GroupNamer } from './groups.js';
import { asService, SERVICE_NOTE, sideOf } from './sides.js';
import { runMetrics, threadMetrics } from './threads.js';
import { windowMetrics } from './window.js';

export interface BpfMetricContext {
  spec: EbpfSpec;
  sample: number;
  syscallTable: Readonly<Record<number, string>>;
  irqNames: Readonly<Record<number, string>>;
  /** The calibration: ns the capture adds to one syscall and to one context switch, on this machine. */
  cost: { syscall: number | null; switch: number | null };
  /** Thread name -> group; the digits folded when absent. */
  group?: GroupNamer;
  /** The scenario has a service, admitted on side 1: its side becomes `service.*`. */
  service?: boolean;
}

const ns = (name: string, value: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({ name, unit: 'ns', better: 'lower', value, source: 'ebpf', ...extra });
const count = (name: string, value: number): MetricPoint => ({ name, unit: '1', better: 'lower', value, source: 'ebpf', zeroWhenAbsent: true });

function percentile(name: string, h: Histogram, q: number, withHistogram: boolean): MetricPoint[] {
  const v = histogramPercentile(h, q);
  return v === null ? [] : [ns(name, Math.round(v), withHistogram ? { histogram: h } : {})];
}

function syscallMetrics(dump: Dump, ctx: BpfMetricContext, excludeBlocking: boolean): { metrics: MetricPoint[]; notes: string[] } {
  const metrics: MetricPoint[] = [];
  const notes: string[] = [];
  const untimed: string[] = [];
  const excluded: string[] = [];
  let allCount = 0;
  let allTotal = 0;
  for (const row of [...dump.sys].sort((a, b) => a.id - b.id)) {
    const name = syscallName(ctx.syscallTable, row.id);
    const p = `syscall.${name}`;
    metrics.push(count(`${p}.count`, row.count));
    // The timed calls' sum is exact; with sampling it is scaled to every call of the syscall.
    const total = row.timed > 0 ? Math.round(ctx.sample > 1 ? (row.sum * Math.max(row.count, row.timed)) / row.timed : row.sum) : null;
    if (total === null) untimed.push(name);
    else {
      const h = histogramFromBuckets(row.buckets);
      metrics.push(ns(`${p}.total`, total, { zeroWhenAbsent: true }));
      metrics.push(...percentile(`${p}.p50`, h, 0.5, true));
      metrics.push(...percentile(`${p}.p99`, h, 0.99, false));
      metrics.push(ns(`${p}.max`, row.max));
    }
    if (excludeBlocking && BLOCKING_SYSCALLS.has(name)) {
      excluded.push(name);
      continue;
    }
    allCount += row.count;
    allTotal += total ?? 0;
  }
  metrics.push(count('syscall.all.count', allCount));
  metrics.push(ns('syscall.all.total', allTotal, { zeroWhenAbsent: true }));
  notes.push(
    ctx.sample > 1
      ? `syscall latency sampled: one call in ${ctx.sample} timed; counts exact, totals the timed calls' exact sum scaled to every call, max exact over the timed calls`
      : 'syscall counts, totals and maxima exact (libbpf capture); percentiles within 12.5%',
  );
  if (untimed.length > 0) notes.push(`not timed in this repetition (counted only, no total or percentile): ${untimed.join(', ')}`);
  if (excluded.length > 0) notes.push(`syscall.all.* leave out blocking calls: ${excluded.join(', ')}`);
  return { metrics, notes };
}

function readyDelayMetrics(dump: Dump, group: GroupNamer): MetricPoint[] {
  const metrics: MetricPoint[] = [];
  const all = new Map<number, number>();
  const groups = new Map<string, { buckets: Map<number, number>; total: number; max: number; count: number }>();
  let count_ = 0;
  let total = 0;
  let max = 0;
  for (const r of dump.rd) {
    const key = group(r.comm);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { buckets: new Map(), total: 0, max: 0, count: 0 }));
    for (const [b, n] of r.buckets) {
      all.set(b, (all.get(b) ?? 0) + n);
      g.buckets.set(b, (g.buckets.get(b) ?? 0) + n);
    }
    g.total += r.total;
    g.count += r.count;
    g.max = Math.max(g.max, r.max);
    count_ += r.count;
    total += r.total;
    max = Math.max(max, r.max);
  }
  metrics.push(count('sched.ready_delay.count', count_));
  metrics.push(ns('sched.ready_delay.total', total, { zeroWhenAbsent: true }));
  if (count_ > 0) {
    const h = histogramFromBuckets(all);
    metrics.push(ns('sched.ready_delay.mean', Math.round(total / count_)));
    metrics.push(...percentile('sched.ready_delay.p50', h, 0.5, true));
    metrics.push(...percentile('sched.ready_delay.p90', h, 0.9, false));
    metrics.push(...percentile('sched.ready_delay.p99', h, 0.99, false));
    metrics.push(ns('sched.ready_delay.max', max));
  }
  for (const [g, v] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const p = `sched.ready_delay.thread.${g}`;
    metrics.push(ns(`${p}.total`, v.total, { zeroWhenAbsent: true }));
    metrics.push(...percentile(`${p}.p99`, histogramFromBuckets(v.buckets), 0.99, false));
    metrics.push(ns(`${p}.max`, v.max));
  }
  return metrics;
}

/**
 * IRQ time by handler. The eBPF count of handled interrupts is `irq.hard.<name>.handled` (a
 * shared line calls every handler, only the one that returned IRQ_HANDLED counts) and the
 * softirq run count `softirq.<vec>.runs`: the `.count` names belong to /proc.
 */
function irqMetrics(rows: IrqRow[], prefix: string, countSuffix: string, nameOf: (k: number) => string): MetricPoint[] {
  const byName = new Map<string, IrqRow>();
  for (const r of rows) {
    const name = nameOf(r.key);
    const cur = byName.get(name);
    if (!cur) byName.set(name, { ...r });
    else {
      cur.count += r.count;
      cur.total += r.total;
      cur.countInWorkload += r.countInWorkload;
      cur.totalInWorkload += r.totalInWorkload;
    }
  }
  const out: MetricPoint[] = [];
  for (const [name, r] of [...byName].sort((a, b) => a[0].localeCompare(b[0]))) {
    out.push(count(`${prefix}.${name}.${countSuffix}`, r.count));
    out.push(ns(`${prefix}.${name}.time`, r.total, { zeroWhenAbsent: true }));
    out.push(ns(`${prefix}.${name}.time_in_workload`, r.totalInWorkload, { zeroWhenAbsent: true }));
  }
  return out;
}

/** What both sides have: syscalls, ready delay and run time of one side's view of a dump. */
function sideMetrics(dump: Dump, ctx: BpfMetricContext, group: GroupNamer): { metrics: MetricPoint[]; notes: string[] } {
  const metrics: MetricPoint[] = [];
  const notes: string[] = [];
  const { spec } = ctx;
  if (spec.syscalls) {
    const s = syscallMetrics(dump, ctx, spec.syscalls.excludeBlocking);
    metrics.push(...s.metrics);
    notes.push(...s.notes);
  }
  if (spec.readyDelay) metrics.push(...readyDelayMetrics(dump, group), ...runMetrics(dump));
  return { metrics, notes };
}

/** Metric points of one repetition's dump: the workload's, and the service's as `service.*`. Pure. */
export function metricsFromDump(whole: Dump, ctx: BpfMetricContext): { metrics: MetricPoint[]; notes: string[]; lost: string[] } {
  const lost: string[] = [];
  const { spec } = ctx;
  const group = ctx.group ?? groupNamer(spec.roles);
  const dump = sideOf(whole, 0);
  const { metrics, notes } = sideMetrics(dump, ctx, group);
  if (spec.syscalls && ctx.cost.syscall !== null) metrics.push(ns('capture.cost.syscall', Math.round(ctx.cost.syscall)));
  // Not a doubt: the calls are counted, only that many latencies are missing from the histograms.
  if (spec.syscalls && whole.sysLost > 0) lost.push(`syscall latency: ${whole.sysLost} timed calls went untimed (a context switch the capture did not see, or task storage busy)`);
  if (spec.readyDelay) {
    if (ctx.cost.switch !== null) metrics.push(ns('capture.cost.switch', Math.round(ctx.cost.switch)));
    if (dump.rdLost > 0) lost.push(`ready-delay map full: ${dump.rdLost} episodes dropped`);
  }
  if (ctx.service && (spec.syscalls || spec.readyDelay)) {
    // Its notes say what the workload's already do.
    metrics.push(...asService(sideMetrics(sideOf(whole, 1), ctx, group).metrics));
    notes.push(SERVICE_NOTE);
  }
  if (spec.irq) {
    metrics.push(...irqMetrics(dump.hard, 'irq.hard', 'handled', (n) => ctx.irqNames[n] ?? `irq${n}`));
    metrics.push(...irqMetrics(dump.soft, 'softirq', 'runs', (n) => SOFTIRQ_NAMES[n] ?? `vec${n}`));
  }
  if (spec.threads) {
    const excludeBlocking = spec.syscalls ? spec.syscalls.excludeBlocking : false;
    metrics.push(...threadMetrics(dump, { group, syscallTable: ctx.syscallTable, irqNames: ctx.irqNames, excludeBlocking }));
    if (dump.grpLost > 0) lost.push(`thread-group map full: ${dump.grpLost} updates dropped`);
    if (ctx.sample > 1) notes.push('thread.<group>.syscall.*.total and .max cover the timed calls only (sampled); counts are exact');
  }
  if (spec.window) {
    const w = windowMetrics(dump.win, spec.window);
    metrics.push(...w.metrics);
    notes.push(...w.notes);
    lost.push(...w.lost);
  }
  return { metrics, notes, lost };
}
