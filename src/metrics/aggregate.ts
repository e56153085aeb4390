import type { Histogram, Metric, MetricPoint } from './types.js';

/**
 * Turns per-repetition points into one Metric per name with one sample per counted
 * repetition. A count that never happened in a repetition is 0 there (`zeroWhenAbsent`);
 * a percentile of nothing has no value, so such a metric just has fewer samples.
 * Names keep the order in which they first appeared, so reports list them as collected.
 */
export function aggregateRepetitions(repetitions: MetricPoint[][]): Metric[] {
  const byName = new Map<string, { first: MetricPoint; values: Array<number | undefined>; histograms: Histogram[] }>();
  repetitions.forEach((points, rep) => {
    for (const point of points) {
      let entry = byName.get(point.name);
      if (!entry) {
        entry = { first: point, values: new Array<number | undefined>(repetitions.length).fill(undefined), histograms: [] };
        byName.set(point.name, entry);
      }
      entry.values[rep] = point.value;
      if (point.histogram) entry.histograms.push(point.histogram);
    }
  });
  const metrics: Metric[] = [];
  for (const { first, values, histograms } of byName.values()) {
    const samples = values.flatMap((v) => (v === undefined ? (first.zeroWhenAbsent ? [0] : []) : [v]));
    const metric: Metric = { name: first.name, unit: first.unit, better: first.better, samples };
    const merged = mergeHistograms(histograms);
    if (merged) metric.histogram = merged;
    if (first.source !== undefined) metric.source = first.source;
    metrics.push(metric);
  }
  return metrics;
}

/** Adds the counts of equal buckets; histograms of one metric share unit and sub-bucket count. */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram | undefined {
  const first = histograms[0];
  if (!first) return undefined;
  const buckets = new Map<number, { lo: number; hi: number; count: number }>();
  for (const h of histograms) {
    for (const b of h.buckets) {
      const seen = buckets.get(b.lo);
      if (seen) seen.count += b.count;
      else buckets.set(b.lo, { ...b });
    }
  }
  return { unit: first.unit, subBuckets: first.subBuckets, buckets: [...buckets.values()].sort((a, b) => a.lo - b.lo) };
}
