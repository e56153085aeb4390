import type { Histogram } from './types.js';

/**
 * Log-linear histogram helpers. A bucket key is what the in-kernel program computes (see
 * collect/ebpf/program.ts): values below 8 are their own key; a value v >= 8 with
 * e = floor(log2 v) gets key e*8 + the three bits below its leading one. Every bucket is
 * at most 1/8 of its lower bound wide, so any value read from one is within 12.5%.
 */
export const SUB_BUCKETS = 8;
const SUB_BITS = 3;

/** The bucket key of a non-negative integer value (the same arithmetic as the kernel side). */
export function bucketKeyOf(value: number): number {
  const v = Math.max(0, Math.floor(value));
  if (v < SUB_BUCKETS) return v;
  const e = Math.floor(Math.log2(v));
  // log2 of a float can be off by one just below a power of two; fix it with exact comparisons.
  const exp = 2 ** e > v ? e - 1 : 2 ** (e + 1) <= v ? e + 1 : e;
  const sub = Math.floor(v / 2 ** (exp - SUB_BITS)) - SUB_BUCKETS;
  return exp * SUB_BUCKETS + sub;
}

/** [lo, hi) of a bucket key. */
export function bucketBounds(key: number): { lo: number; hi: number } {
  if (key < SUB_BUCKETS) return { lo: key, hi: key + 1 };
  const exp = Math.floor(key / SUB_BUCKETS);
  const sub = key % SUB_BUCKETS;
  const width = 2 ** (exp - SUB_BITS);
  return { lo: (SUB_BUCKETS + sub) * width, hi: (SUB_BUCKETS + sub + 1) * width };
}

/** Builds a histogram from bucket key -> count, as the bpftrace maps print them. Zero counts are left out. */
export function histogramFromBuckets(counts: Map<number, number> | Record<string, number>, unit = 'ns'): Histogram {
  const entries = counts instanceof Map ? [...counts.entries()] : Object.entries(counts).map(([k, c]) => [Number(k), c] as const);
  const byLo = new Map<number, { lo: number; hi: number; count: number }>();
  for (const [key, count] of entries) {
    if (!(count > 0)) continue;
    const { lo, hi } = bucketBounds(key);
    const cur = byLo.get(lo);
    if (cur) cur.count += count;
    else byLo.set(lo, { lo, hi, count });
  }
  return { unit, subBuckets: SUB_BUCKETS, buckets: [...byLo.values()].sort((a, b) => a.lo - b.lo) };
}

/** Builds a histogram from raw values (tests, and the /proc fallbacks). */
export function histogramOfValues(values: Iterable<number>, unit = 'ns'): Histogram {
  const counts = new Map<number, number>();
  for (const v of values) {
    const k = bucketKeyOf(v);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return histogramFromBuckets(counts, unit);
}

/** Adds histograms of the same unit and resolution; buckets are matched by their lower bound. */
export function mergeHistograms(histograms: readonly Histogram[]): Histogram | null {
  const first = histograms[0];
  if (!first) return null;
  const byLo = new Map<number, { lo: number; hi: number; count: number }>();
  for (const h of histograms) {
    if (h.unit !== first.unit || h.subBuckets !== first.subBuckets) {
      throw new Error(`cannot merge histograms in ${h.unit}/${h.subBuckets} with ${first.unit}/${first.subBuckets}`);
    }
    for (const b of h.buckets) {
      const cur = byLo.get(b.lo);
      if (cur) cur.count += b.count;
      else byLo.set(b.lo, { ...b });
    }
  }
  return { unit: first.unit, subBuckets: first.subBuckets, buckets: [...byLo.values()].sort((a, b) => a.lo - b.lo) };
}

/** Subtracts an earlier snapshot of a cumulative histogram from a later one. */
export function subtractHistogram(later: Histogram, earlier: Histogram | null): Histogram {
  if (!earlier) return later;
  const before = new Map(earlier.buckets.map((b) => [b.lo, b.count]));
  const buckets = later.buckets
    .map((b) => ({ ...b, count: b.count - (before.get(b.lo) ?? 0) }))
    .filter((b) => b.count > 0);
  return { ...later, buckets };
}

export function histogramCount(h: Histogram): number {
  return h.buckets.reduce((s, b) => s + b.count, 0);
}

/** Total of the values estimated from bucket midpoints (exact totals come from the capture's sums). */
export function histogramApproxTotal(h: Histogram): number {
  return h.buckets.reduce((s, b) => s + b.count * (b.lo + (b.hi - b.lo - 1) / 2), 0);
}

/**
 * The q-quantile (0..1) read from the histogram: the rank-th value, interpolated linearly
 * inside its bucket. The true value lies in the same bucket, so the error is below the
 * bucket width, at most 1/subBuckets of the value. null for an empty histogram.
 */
export function histogramPercentile(h: Histogram, q: number): number | null {
  const n = histogramCount(h);
  if (n === 0) return null;
  // Nearest-rank definition: the smallest value with at least q*n values at or below it.
  const rank = Math.min(n, Math.max(1, Math.ceil(q * n)));
  let seen = 0;
  for (const b of h.buckets) {
    if (seen + b.count >= rank) {
      const inBucket = rank - seen; // 1..count
      const width = b.hi - b.lo;
      if (width <= 1) return b.lo;
      // Spread the bucket's values evenly over [lo, hi): the i-th of c sits at lo + (i - 0.5) * width / c.
      return b.lo + ((inBucket - 0.5) * width) / b.count;
    }
    seen += b.count;
  }
  const last = h.buckets[h.buckets.length - 1];
  return last ? last.hi - 1 : null;
}

/** The largest value the histogram can hold: the top bucket's upper bound (exclusive) minus one. */
export function histogramMaxBound(h: Histogram): number | null {
  const last = h.buckets[h.buckets.length - 1];
  return last ? last.hi - 1 : null;
}
