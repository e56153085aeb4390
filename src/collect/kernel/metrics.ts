import { histogramFromBuckets, histogramPercentile } from '../../metrics/histogram.js';
import type { MetricPoint } from '../../metrics/types.js';
import type { KernelParts } from '../../scenario/types.js';
import type { MapEntryValue, Snapshot } from '../ebpf/output.js';
import { metricSegment } from '../proc/names.js';

/** What the metrics need besides the snapshot: names the kernel gives only as numbers. */
export interface KernelContext {
  parts: KernelParts;
  /** Drop reason number -> name, from the kfree_skb format. */
  dropReasons: Record<number, string>;
  /** Kernel dev_t (major << 20 | minor) -> block device name. */
  blockDevices: Record<number, string>;
  /** Major faults over the repetition: the cgroup's, else the machine's; null when unreadable. */
  majorFaults: { n: number; source: 'memory.stat' | 'vmstat' } | null;
}

const count = (name: string, value: number, source = 'ebpf'): MetricPoint => ({ name, unit: '1', better: 'lower', value, zeroWhenAbsent: true, source });

function entries(snap: Snapshot, map: string): Array<[string[], number]> {
  const m = snap.get(map);
  if (!m) return [];
  const out: Array<[string[], number]> = [];
  for (const [k, v] of m) if (typeof v === 'number') out.push([k.split(',').map((p) => p.replace(/^"(.*)"$/, '$1')), v]);
  return out;
}

function scalar(snap: Snapshot, map: string): number {
  const v: MapEntryValue | undefined = snap.get(map)?.values().next().value;
  return typeof v === 'number' ? v : 0;
}

function netMetrics(snap: Snapshot, ctx: KernelContext): MetricPoint[] {
  const out: MetricPoint[] = [];
  for (const [[reason], n] of entries(snap, '@nd')) {
    const name = ctx.dropReasons[Number(reason)] ?? reason ?? 'unknown';
    out.push(count(`net.skb.drop.${metricSegment(name.toLowerCase())}.count`, n));
  }
  out.push(count('net.skb.consume.count', scalar(snap, '@nc')));
  for (const [dir, map] of [['rx', '@nrx'], ['tx', '@ntx']] as const) {
    for (const [[dev], n] of entries(snap, map)) out.push(count(`net.dev.${metricSegment(dev ?? 'unnamed')}.${dir}.packets`, n));
  }
  out.push(count('net.tcp.retransmit.count', scalar(snap, '@nre')));
  out.push(count('net.tcp.retransmit_failed.count', scalar(snap, '@nrf')));
  out.push(count('net.tcp.reset.count', scalar(snap, '@nrs')));
  return out;
}

/** The block layer's rwbs flags as an operation: a leading F on a data request is its preflush. */
export function blockOp(rwbs: string): string {
  const s = rwbs.length > 1 && rwbs.startsWith('F') ? rwbs.slice(1) : rwbs;
  const ops: Record<string, string> = { R: 'read', W: 'write', D: 'discard', E: 'erase', F: 'flush', N: 'other' };
  return ops[s.charAt(0)] ?? 'other';
}

/** Latency buckets, maxima and bytes per device and operation, from one set of maps. */
function blockGroups(snap: Snapshot, ctx: KernelContext, prefix: string, maps: readonly [string, string, string]): MetricPoint[] {
  const groups = new Map<string, { buckets: Map<number, number>; max: number; bytes: number }>();
  const group = (dev: string | undefined, rwbs: string | undefined) => {
    const name = `${metricSegment(ctx.blockDevices[Number(dev)] ?? `dev${dev ?? ''}`)}.${blockOp(rwbs ?? '')}`;
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { buckets: new Map(), max: 0, bytes: 0 }));
    return g;
  };
  for (const [[dev, rwbs, b], n] of entries(snap, maps[0])) {
    const g = group(dev, rwbs);
    g.buckets.set(Number(b), (g.buckets.get(Number(b)) ?? 0) + n);
  }
  for (const [[dev, rwbs], v] of entries(snap, maps[1])) group(dev, rwbs).max = Math.max(group(dev, rwbs).max, v);
  for (const [[dev, rwbs], v] of entries(snap, maps[2])) group(dev, rwbs).bytes += v;
  const out: MetricPoint[] = [];
  for (const [name, g] of groups) {
    const h = histogramFromBuckets(g.buckets);
    const n = [...g.buckets.values()].reduce((a, b) => a + b, 0);
    out.push(count(`${prefix}.${name}.count`, n), { name: `${prefix}.${name}.bytes`, unit: 'B', better: 'lower', value: g.bytes, zeroWhenAbsent: true, source: 'ebpf' });
    for (const [q, label] of [[0.5, 'p50'], [0.99, 'p99']] as const) {
      const v = histogramPercentile(h, q);
      if (v !== null) out.push({ name: `${prefix}.${name}.${label}`, unit: 'ns', better: 'lower', value: v, histogram: h, source: 'ebpf' });
    }
    out.push({ name: `${prefix}.${name}.max`, unit: 'ns', better: 'lower', value: g.max, source: 'ebpf' });
  }
  return out;
}

/** The machine's requests (`block.*`) and, apart, those the workload's own tasks queued (`block.own.*`). */
function blockMetrics(snap: Snapshot, ctx: KernelContext): MetricPoint[] {
  const out = [...blockGroups(snap, ctx, 'block', ['@bl', '@bm', '@bb']), ...blockGroups(snap, ctx, 'block.own', ['@ol', '@om', '@ob'])];
  const depth = entries(snap, '@bq').reduce((m, [, v]) => Math.max(m, v), 0);
  out.push({ name: 'block.queue_depth.max', unit: '1', better: 'lower', value: depth, zeroWhenAbsent: true, source: 'ebpf' });
  return out;
}

/** Median and largest of the sampled lengths; the sampled values are small integers, so exact. */
function lengthStats(samples: Array<readonly [number, number]>): { p50: number; max: number } | null {
  const sorted = [...samples].sort((a, b) => a[0] - b[0]);
  const total = sorted.reduce((a, [, n]) => a + n, 0);
  if (total === 0) return null;
  let seen = 0;
  let p50 = 0;
  for (const [len, n] of sorted) {
    seen += n;
    if (seen * 2 >= total) {
      p50 = len;
      break;
    }
  }
  return { p50, max: sorted[sorted.length - 1]?.[0] ?? 0 };
}

/** The whole machine's run-queue length, and each CPU's beside it (one busy CPU hides behind an idle one in the whole). */
function runqueueMetrics(snap: Snapshot): MetricPoint[] {
  const all: Array<readonly [number, number]> = [];
  const byCpu = new Map<string, Array<readonly [number, number]>>();
  for (const [[cpu, len], n] of entries(snap, '@rq')) {
    const sample = [Number(len), n] as const;
    all.push(sample);
    const key = cpu ?? '0';
    byCpu.set(key, [...(byCpu.get(key) ?? []), sample]);
  }
  const out: MetricPoint[] = [];
  const push = (prefix: string, samples: Array<readonly [number, number]>) => {
    const st = lengthStats(samples);
    if (!st) return;
    out.push({ name: `${prefix}.p50`, unit: '1', better: 'lower', value: st.p50, source: 'ebpf' });
    out.push({ name: `${prefix}.max`, unit: '1', better: 'lower', value: st.max, source: 'ebpf' });
  };
  push('sched.runqueue_length', all);
  for (const [cpu, samples] of [...byCpu].sort((a, b) => Number(a[0]) - Number(b[0]))) push(`sched.runqueue_length.cpu${cpu}`, samples);
  return out;
}

/** A repetition's metrics from the snapshot cut after it (the program clears its maps at each cut). */
export function kernelMetrics(snap: Snapshot, ctx: KernelContext): MetricPoint[] {
  const out: MetricPoint[] = [];
  if (ctx.parts.net) out.push(...netMetrics(snap, ctx));
  if (ctx.parts.block) out.push(...blockMetrics(snap, ctx));
  if (ctx.parts.faults) {
    const all = scalar(snap, '@fa');
    const major = ctx.majorFaults;
    // The fault tracepoints fire before the kernel knows whether the fault needs I/O; the
    // cgroup's own pgmajfault tells the major ones apart. The machine's count cannot be
    // subtracted from the workload's, so without it the minor figure holds the major ones too.
    const own = major?.source === 'memory.stat' ? major.n : 0;
    out.push(count('mem.faults.minor.count', Math.max(0, all - own)));
    if (major !== null) out.push(count('mem.faults.major.count', major.n, major.source));
  }
  if (ctx.parts.runqueue) out.push(...runqueueMetrics(snap));
  if (ctx.parts.smpCalls) out.push(count('kernel.smp_call.count', scalar(snap, '@sc')));
  return out;
}
