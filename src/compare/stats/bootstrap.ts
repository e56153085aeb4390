import { mulberry32 } from './prng.js';
import { median, relativeChange } from './effect.js';

export interface BootstrapResult {
  /** Relative change of the median, current vs baseline (ratio - 1). */
  change: number;
  ci: [number, number];
  /** Two-sided bootstrap p for "no change": twice the share of resampled changes on the far side of 0. */
  pValue: number;
  resamples: number;
}

function resampledMedian(values: readonly number[], random: () => number, scratch: Float64Array): number {
  const n = values.length;
  for (let i = 0; i < n; i++) scratch[i] = values[Math.floor(random() * n)]!;
  scratch.sort();
  return n % 2 ? scratch[(n - 1) / 2]! : (scratch[n / 2 - 1]! + scratch[n / 2]!) / 2;
}

/**
 * Percentile bootstrap of the ratio of medians, each side resampled on its own. Seeded, so
 * the same inputs and seed give the same interval. With fewer than ~8 values per side the
 * resampled medians take only a handful of distinct values and the interval is coarse;
 * the engine does not let such sample sizes gate anyway. The smallest p it can give is
 * 2 / (resamples + 1).
 */
export function bootstrapMedianRatio(
  baseline: readonly number[],
  current: readonly number[],
  options: { resamples?: number; confidence: number; seed: number },
): BootstrapResult {
  const resamples = options.resamples ?? 5000;
  const random = mulberry32(options.seed);
  const change = relativeChange(median(baseline), median(current));
  const changes = new Float64Array(resamples);
  const sb = new Float64Array(baseline.length);
  const sc = new Float64Array(current.length);
  let atOrBelow = 0;
  let atOrAbove = 0;
  for (let r = 0; r < resamples; r++) {
    const c = relativeChange(resampledMedian(baseline, random, sb), resampledMedian(current, random, sc));
    changes[r] = c;
    if (c <= 0) atOrBelow++;
    if (c >= 0) atOrAbove++;
  }
  changes.sort();
  const half = (1 - options.confidence) / 2;
  const at = (q: number): number => changes[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  const pValue = Math.min(1, (2 * (1 + Math.min(atOrBelow, atOrAbove))) / (resamples + 1));
  return { change, ci: [at(half), at(1 - half)], pValue, resamples };
}
