import { bucketBounds, histogramApproxTotal, histogramFromBuckets, histogramPercentile } from '../../metrics/histogram.js';
import type { Histogram, MetricPoint } from '../../metrics/types.js';
import type { EbpfSpec } from '../../scenario/types.js';
import type { BuiltProgram } from './program.js';
import type { MapEntryValue, Snapshot, StatsValue } from './output.js';
import { splitMapKey } from './output.js';
import { BLOCKING_SYSCALLS, syscallName } from '../../kernel/syscalls/table.js';
import { groupNamer } from '../bpf/groups.js';

/** Softirq vector names in kernel order (include/linux/interrupt.h, as /proc/softirqs prints them, lower case). */
export const SOFTIRQ_NAMES = ['hi', 'timer', 'net_tx', 'net_rx', 'block', 'irq_poll', 'tasklet', 'sched', 'hrtimer', 'rcu'];

/** `worker12` -> `worker*`, `kworker/0:1H` -> `kworker/*:*H`: thread ids change every run, names with digits folded do not. */
export function foldThreadName(comm: string): string {
  return groupNamer()(comm);
}

export interface CaptureContext {
  program: BuiltProgram;
  spec: EbpfSpec;
  syscallTable: Readonly<Record<number, string>>;
  /** IRQ number -> handler name(s), from /sys/kernel/irq/<n>/actions. */
  irqNames: Readonly<Record<number, string>>;
}

function asStats(v: MapEntryValue | undefined): StatsValue | null {
  return v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : null;
}

function asNumber(v: MapEntryValue | undefined): number {
  return typeof v === 'number' ? v : 0;
}

/** Per-key difference of a cumulative stats map between two snapshots; keys that did not move are dropped. */
function statsDelta(before: Snapshot, after: Snapshot, map: string): Map<string, StatsValue> {
  const out = new Map<string, StatsValue>();
  const b = before.get(map);
  for (const [key, v] of after.get(map) ?? []) {
    const cur = asStats(v);
    if (!cur) continue;
    const prev = asStats(b?.get(key)) ?? { count: 0, total: 0 };
    const d = { count: cur.count - prev.count, total: cur.total - prev.total };
    if (d.count > 0) out.set(key, d);
  }
  return out;
}

function counterDelta(before: Snapshot, after: Snapshot, map: string, key = ''): number {
  return asNumber(after.get(map)?.get(key)) - asNumber(before.get(map)?.get(key));
}

/** Per-key difference of a cumulative count or sum map; keys that did not move are dropped. */
function numberDelta(before: Snapshot, after: Snapshot, map: string): Map<string, number> {
  const out = new Map<string, number>();
  const b = before.get(map);
  for (const [key, v] of after.get(map) ?? []) {
    const d = asNumber(v) - asNumber(b?.get(key));
    if (d > 0) out.set(key, d);
  }
  return out;
}

/** A distribution's figures: exact count and total, percentiles and max within a bucket (12.5%). */
interface Distribution {
  count: number;
  total: number;
  histogram: Histogram;
  max: number;
}

function distributionOf(buckets: Map<number, number>, total: number): Distribution {
  let count = 0;
  let top = -1;
  for (const [k, c] of buckets) {
    count += c;
    if (k > top) top = k;
  }
  // The largest value lies in the top bucket, below its upper bound; with one call in the
  // distribution it is the total itself.
  const max = top < 0 ? 0 : count === 1 ? total : Math.min(bucketBounds(top).hi - 1, total);
  return { count, total, histogram: histogramFromBuckets(buckets), max };
}

const ns = (name: string, value: number, extra: Partial<MetricPoint> = {}): MetricPoint => ({
  name,
  unit: 'ns',
  better: 'lower',
  value,
  source: 'ebpf',
  ...extra,
});
const count = (name: string, value: number): MetricPoint => ({
  name,
  unit: '1',
  better: 'lower',
  value,
  source: 'ebpf',
  zeroWhenAbsent: true,
});

function percentilePoint(name: string, h: Histogram, q: number, withHistogram: boolean): MetricPoint[] {
  const v = histogramPercentile(h, q);
  if (v === null) return [];
  return [ns(name, Math.round(v), withHistogram ? { histogram: h } : {})];
}

type Delta = { before: Snapshot; after: Snapshot };
type Emitted = { metrics: MetricPoint[]; notes: string[] };

/** Syscall id -> (histogram bucket -> calls) moved during the repetition. */
function syscallBuckets({ before, after }: Delta): Map<number, Map<number, number>> {
  const byId = new Map<number, Map<number, number>>();
  for (const [key, c] of numberDelta(before, after, '@sys')) {
    const [id, bucket] = splitMapKey(key, 2).map(Number);
    if (id === undefined || bucket === undefined || Number.isNaN(id) || Number.isNaN(bucket)) continue;
    let m = byId.get(id);
    if (!m) byId.set(id, (m = new Map()));
    m.set(bucket, c);
  }
  return byId;
}

/** Exact counts: from the timing map when every call is timed, else from the count maps. */
function syscallCounts({ before, after }: Delta, program: BuiltProgram, byId: Map<number, Map<number, number>>, notes: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  if (program.countedSyscalls) {
    for (const id of program.countedSyscalls) {
      const c = counterDelta(before, after, `${program.syscallCountPrefix}${id}`);
      if (c > 0) counts.set(id, c);
    }
    for (const key of after.get('@sn_other')?.keys() ?? []) {
      const c = counterDelta(before, after, '@sn_other', key);
      if (c > 0) counts.set(Number(key), (counts.get(Number(key)) ?? 0) + c);
    }
    notes.push(`syscall latency sampled: one call in ${program.sample} timed (counts exact, totals scaled from the sample)`);
  } else {
    notes.push('syscall totals read from the log-linear histogram (each call within 6.25% of its bucket midpoint)');
    for (const [id, buckets] of byId) {
      let c = 0;
      for (const n of buckets.values()) c += n;
      counts.set(id, c);
    }
  }
  return counts;
}

function syscallMetrics(delta: Delta, ctx: CaptureContext, excludeBlocking: boolean, out: Emitted): void {
  const { program } = ctx;
  const { metrics, notes } = out;
  const byId = syscallBuckets(delta);
  const timeById = numberDelta(delta.before, delta.after, '@syt');
  const counts = syscallCounts(delta, program, byId, notes);
  let allCount = 0;
  let allTotal = 0;
  const excluded: string[] = [];
  for (const [id, c] of [...counts].sort((a, b) => a[0] - b[0])) {
    const name = syscallName(ctx.syscallTable, id);
    const p = `syscall.${name}`;
    metrics.push(count(`${p}.count`, c));
    const buckets = byId.get(id);
    // Sampled: the timed calls' exact sum. Full: the total read from the buckets.
    const d = buckets ? distributionOf(buckets, program.countedSyscalls ? (timeById.get(String(id)) ?? 0) : histogramApproxTotal(histogramFromBuckets(buckets))) : null;
    const total = d && d.count > 0 ? Math.round((d.total * c) / d.count) : null;
    if (total !== null) metrics.push(ns(`${p}.total`, total, { zeroWhenAbsent: true }));
    if (d) {
      metrics.push(...percentilePoint(`${p}.p50`, d.histogram, 0.5, true));
      metrics.push(...percentilePoint(`${p}.p99`, d.histogram, 0.99, false));
      metrics.push(ns(`${p}.max`, d.max));
    }
    if (excludeBlocking && BLOCKING_SYSCALLS.has(name)) {
      excluded.push(name);
      continue;
    }
    allCount += c;
    allTotal += total ?? 0;
  }
  metrics.push(count('syscall.all.count', allCount));
  metrics.push(ns('syscall.all.total', allTotal, { zeroWhenAbsent: true }));
  if (excluded.length > 0) notes.push(`syscall.all.* leave out blocking calls: ${excluded.join(', ')}`);
}

type Buckets = { buckets: Map<number, number>; total: number };

function readyDelayMetrics({ before, after }: Delta, metrics: MetricPoint[], roles: EbpfSpec['roles']): void {
  const all = new Map<number, number>();
  const groups = new Map<string, Buckets>();
  const nameGroup = groupNamer(roles);
  const groupOf = (comm: string): Buckets => {
    const g = nameGroup(comm);
    let gm = groups.get(g);
    if (!gm) groups.set(g, (gm = { buckets: new Map(), total: 0 }));
    return gm;
  };
  for (const [key, c] of numberDelta(before, after, '@rd')) {
    const [comm, b] = splitMapKey(key, 2);
    const bucket = Number(b);
    if (comm === undefined || Number.isNaN(bucket)) continue;
    all.set(bucket, (all.get(bucket) ?? 0) + c);
    const gm = groupOf(comm).buckets;
    gm.set(bucket, (gm.get(bucket) ?? 0) + c);
  }
  let allTotal = 0;
  for (const [comm, t] of numberDelta(before, after, '@rdt')) {
    groupOf(splitMapKey(comm, 1)[0] ?? comm).total += t;
    allTotal += t;
  }
  const d = distributionOf(all, allTotal);
  metrics.push(count('sched.ready_delay.count', d.count));
  metrics.push(ns('sched.ready_delay.total', d.total, { zeroWhenAbsent: true }));
  if (d.count > 0) {
    metrics.push(ns('sched.ready_delay.mean', Math.round(d.total / d.count)));
    metrics.push(...percentilePoint('sched.ready_delay.p50', d.histogram, 0.5, true));
    metrics.push(...percentilePoint('sched.ready_delay.p90', d.histogram, 0.9, false));
    metrics.push(...percentilePoint('sched.ready_delay.p99', d.histogram, 0.99, false));
    metrics.push(ns('sched.ready_delay.max', d.max));
  }
  for (const [g, { buckets, total }] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const gd = distributionOf(buckets, total);
    const p = `sched.ready_delay.thread.${g}`;
    metrics.push(ns(`${p}.total`, gd.total, { zeroWhenAbsent: true }));
    metrics.push(...percentilePoint(`${p}.p99`, gd.histogram, 0.99, false));
    metrics.push(ns(`${p}.max`, gd.max));
  }
}

function irqMetrics({ before, after }: Delta, ctx: CaptureContext, metrics: MetricPoint[]): void {
  const named = (map: string, nameOf: (k: number) => string): Map<string, StatsValue> => {
    const out = new Map<string, StatsValue>();
    for (const [key, s] of statsDelta(before, after, map)) {
      const name = nameOf(Number(key));
      const cur = out.get(name) ?? { count: 0, total: 0 };
      out.set(name, { count: cur.count + s.count, total: cur.total + s.total });
    }
    return out;
  };
  const irqName = (n: number): string => ctx.irqNames[n] ?? `irq${n}`;
  const vecName = (n: number): string => SOFTIRQ_NAMES[n] ?? `vec${n}`;
  const hard = named('@hi', irqName);
  const hardW = named('@hiw', irqName);
  for (const [name, s] of [...hard].sort()) {
    metrics.push(count(`irq.hard.${name}.handled`, s.count));
    metrics.push(ns(`irq.hard.${name}.time`, s.total, { zeroWhenAbsent: true }));
    metrics.push(ns(`irq.hard.${name}.time_in_workload`, hardW.get(name)?.total ?? 0, { zeroWhenAbsent: true }));
  }
  const soft = named('@sf', vecName);
  const softW = named('@sfw', vecName);
  for (const [name, s] of [...soft].sort()) {
    metrics.push(count(`softirq.${name}.runs`, s.count));
    metrics.push(ns(`softirq.${name}.time`, s.total, { zeroWhenAbsent: true }));
    metrics.push(ns(`softirq.${name}.time_in_workload`, softW.get(name)?.total ?? 0, { zeroWhenAbsent: true }));
  }
}

/**
 * Turns the difference of two marker snapshots (before and after one repetition) into metric
 * points. Pure. The histogram of a distribution rides on its `.p50` point.
 */
export function metricsFromSnapshots(before: Snapshot, after: Snapshot, ctx: CaptureContext): Emitted {
  const out: Emitted = { metrics: [], notes: [] };
  const delta = { before, after };
  const { spec } = ctx;
  if (spec.syscalls) syscallMetrics(delta, ctx, spec.syscalls.excludeBlocking, out);
  if (spec.readyDelay) readyDelayMetrics(delta, out.metrics, spec.roles);
  if (spec.irq) irqMetrics(delta, ctx, out.metrics);
  return out;
}

/** Keyed maps close to their size limit at a snapshot: updates beyond it are dropped by the kernel. */
export function nearlyFullMaps(snapshot: Snapshot, mapKeysMax: number): string[] {
  const out: string[] = [];
  for (const [name, entries] of snapshot) {
    if (entries.size >= Math.floor(mapKeysMax * 0.9)) out.push(`${name} holds ${entries.size} of ${mapKeysMax} keys`);
  }
  return out;
}

