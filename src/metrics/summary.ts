import type { Summary } from './types.js';

/** Median, mean, min, max and sample standard deviation of a repetition series. */
export function summarize(samples: readonly number[]): Summary {
  const n = samples.length;
  if (n === 0) return { median: NaN, mean: NaN, min: NaN, max: NaN, stddev: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  const median = n % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const mean = samples.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { median, mean, min: sorted[0]!, max: sorted[n - 1]!, stddev: Math.sqrt(variance) };
}
