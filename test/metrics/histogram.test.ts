import { describe, expect, it } from 'vitest';
import {
  bucketBounds,
  bucketKeyOf,
  histogramCount,
  histogramFromBuckets,
  histogramMaxBound,
  histogramOfValues,
  histogramPercentile,
  mergeHistograms,
  subtractHistogram,
} from '../../src/metrics/histogram.js';

/** A small deterministic PRNG so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function exactPercentile(sorted: number[], q: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

describe('log-linear histogram', () => {
  it('puts every value inside the bounds of its bucket, buckets at most 12.5% wide', () => {
    const rnd = lcg(1);
    const probes = [0, 1, 7, 8, 9, 15, 16, 17, 255, 256, 1023, 1024, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 5];
    for (let i = 0; i < 5000; i++) probes.push(Math.floor(2 ** (rnd() * 45)));
    for (const v of probes) {
      const { lo, hi } = bucketBounds(bucketKeyOf(v));
      expect(v).toBeGreaterThanOrEqual(lo);
      expect(v).toBeLessThan(hi);
      if (v >= 8) expect((hi - lo) / lo).toBeLessThanOrEqual(0.125);
    }
  });

  it('uses the same keys as the kernel program for powers of two and their neighbours', () => {
    expect(bucketKeyOf(7)).toBe(7);
    expect(bucketKeyOf(8)).toBe(24);
    expect(bucketKeyOf(15)).toBe(31);
    expect(bucketKeyOf(16)).toBe(32);
    expect(bucketKeyOf(1000)).toBe(9 * 8 + ((1000 >> 6) & 7));
    expect(bucketBounds(24)).toEqual({ lo: 8, hi: 9 });
    expect(bucketBounds(9 * 8 + 7)).toEqual({ lo: 960, hi: 1024 });
  });

  it('reads percentiles within 12.5% of the exact ones on random data', () => {
    for (const seed of [2, 3, 4, 5]) {
      const rnd = lcg(seed);
      // log-normal-ish latencies between ~100 ns and ~10 ms, plus a few exact small values
      const values = Array.from({ length: 20000 }, () => Math.floor(Math.exp(4.6 + rnd() * rnd() * 11.5)));
      const sorted = [...values].sort((a, b) => a - b);
      const h = histogramOfValues(values);
      expect(histogramCount(h)).toBe(values.length);
      for (const q of [0.01, 0.5, 0.9, 0.99, 0.999, 1]) {
        const exact = exactPercentile(sorted, q);
        const est = histogramPercentile(h, q)!;
        expect(Math.abs(est - exact) / exact).toBeLessThanOrEqual(0.125);
      }
      const max = sorted[sorted.length - 1]!;
      expect(histogramMaxBound(h)! >= max && histogramMaxBound(h)! <= max * 1.125).toBe(true);
    }
  });

  it('builds from bpftrace bucket maps and merges by adding counts of equal buckets', () => {
    const a = histogramFromBuckets({ '24': 2, '80': 3 });
    const b = histogramFromBuckets(new Map([[80, 1], [81, 4]]));
    const m = mergeHistograms([a, b])!;
    expect(m.buckets).toEqual([
      { lo: 8, hi: 9, count: 2 },
      { lo: 1024, hi: 1152, count: 4 },
      { lo: 1152, hi: 1280, count: 4 },
    ]);
    expect(histogramCount(m)).toBe(10);
    expect(subtractHistogram(m, a).buckets).toEqual([
      { lo: 1024, hi: 1152, count: 1 },
      { lo: 1152, hi: 1280, count: 4 },
    ]);
  });

  it('refuses to merge histograms of different units', () => {
    expect(() => mergeHistograms([histogramOfValues([1], 'ns'), histogramOfValues([1], 'us')])).toThrow(/merge/);
  });

  it('has no percentile for an empty histogram', () => {
    expect(histogramPercentile(histogramFromBuckets({}), 0.5)).toBeNull();
  });
});
