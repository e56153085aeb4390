import type { MetricPoint } from '../../metrics/types.js';
import type { WindowSpec } from '../../scenario/types.js';
import type { WindowStats } from './dump.js';

const ns = (name: string, value: number): MetricPoint => ({ name, unit: 'ns', better: 'lower', value, source: 'ebpf' });

/** The nearest-rank quantile of sorted values: a window length that occurred. */
function rank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/**
 * window.count and window.duration.{total,p50,p99,max} of one repetition: count, total and max
 * from the kernel's counters (exact), the percentiles from each window's length (exact unless
 * the log overflowed, which a note says).
 */
export function windowMetrics(w: WindowStats | null, spec: WindowSpec): { metrics: MetricPoint[]; notes: string[]; lost: string[] } {
  const stats = w ?? { count: 0, total: 0, max: 0, short: 0, lost: 0, durations: [] };
  const metrics: MetricPoint[] = [
    { name: 'window.count', unit: '1', better: 'lower', value: stats.count, source: 'ebpf', zeroWhenAbsent: true },
    { ...ns('window.duration.total', stats.total), zeroWhenAbsent: true },
  ];
  const sorted = [...stats.durations].sort((a, b) => a - b);
  const p50 = rank(sorted, 0.5);
  const p99 = rank(sorted, 0.99);
  if (p50 !== null) metrics.push(ns('window.duration.p50', p50));
  if (p99 !== null) metrics.push(ns('window.duration.p99', p99));
  if (stats.count > 0) metrics.push(ns('window.duration.max', stats.max));
  const per = spec.per === 'process' ? 'per process' : 'per thread';
  const notes = [
    `trigger windows ${per}: eBPF metrics count only inside windows` +
      (spec.minNs > 0 ? `; ${stats.short} window(s) shorter than ${spec.minNs / 1e6} ms left out of window.* (their kernel events still counted)` : ''),
    'capture.cost.* not calibrated with windows: a calibration loop outside every window would measure only the cheap path',
  ];
  const lost = stats.lost > 0 ? [`window log full: ${stats.lost} window lengths not kept, window.duration.p50/p99 from the other ${sorted.length}`] : [];
  return { metrics, notes, lost };
}
