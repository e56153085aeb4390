import type { Correction } from '../../scenario/types.js';
import { perMetricLevel, smallestAdjustedP } from './adjust.js';
import { studentTQuantile } from './distributions.js';
import { smallestPValue } from './mann-whitney.js';

export function median(values: readonly number[]): number {
  const n = values.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(values).sort();
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/**
 * (current - baseline) / |baseline|. From a zero baseline the change is unbounded:
 * +Infinity or -Infinity (JSON writes null, which the report schema allows), 0 when both
 * are zero. A counter that never fired and now fires is a change beyond any tolerance.
 */
export function relativeChange(baseline: number, current: number): number {
  if (baseline === 0) return current === 0 ? 0 : current > 0 ? Infinity : -Infinity;
  return (current - baseline) / Math.abs(baseline);
}

/** 1.4826 x median absolute deviation: the standard deviation for normal data, unmoved by a stray outlier. */
export function robustSd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  const mad = 1.4826 * median(values.map((v) => Math.abs(v - m)));
  if (mad > 0) return mad;
  // More than half the values equal (small integer counts): fall back to the plain SD.
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

/**
 * The relative noise of a comparison: the robust SD of the log values pooled over both
 * samples (for positive data, the SD of log x is the coefficient of variation, and a
 * multiplicative 10% shift is the same effect at any scale); for data with zeros or
 * negatives, the pooled robust SD relative to |baseline median|.
 */
export function pooledRelativeNoise(baseline: readonly number[], current: readonly number[]): number {
  const positive = baseline.every((v) => v > 0) && current.every((v) => v > 0);
  const pool = (a: number, b: number): number => {
    const df = baseline.length - 1 + (current.length - 1);
    if (df <= 0) return Math.max(a, b);
    return Math.sqrt(((baseline.length - 1) * a * a + (current.length - 1) * b * b) / df);
  };
  if (positive) return pool(robustSd(baseline.map(Math.log)), robustSd(current.map(Math.log)));
  const scale = Math.abs(median(baseline));
  return scale > 0 ? pool(robustSd(baseline), robustSd(current)) / scale : Infinity;
}

/**
 * Asymptotic relative efficiency of the U test against the t-test under normal noise (3/pi):
 * the U test needs ~5% more repetitions for the same power.
 */
const MWU_EFFICIENCY = 3 / Math.PI;

/**
 * Minimum detectable effect: the smallest relative shift a two-sided test at `level` detects
 * with probability `power`, given relative noise `noise` (see pooledRelativeNoise) and n1, n2
 * repetitions: (t_{1-level/2} + t_{power}) * noise * sqrt(1/n1 + 1/n2) / sqrt(ARE), on the
 * log scale, returned as a ratio - 1. Student quantiles with n1 + n2 - 2 degrees of freedom
 * keep it honest for small samples, where the normal quantiles would promise too much.
 * `level` is the per-metric level: alpha / m for a family of m (what Holm, and BH with a
 * single real change, demand of the most significant metric).
 */
export function minimumDetectableEffect(noise: number, n1: number, n2: number, level: number, power = 0.8): number {
  if (n1 < 2 || n2 < 2 || !Number.isFinite(noise)) return Infinity;
  const df = n1 + n2 - 2;
  const q = studentTQuantile(1 - level / 2, df) + studentTQuantile(power, df);
  const shift = (q * noise * Math.sqrt(1 / n1 + 1 / n2)) / Math.sqrt(MWU_EFFICIENCY);
  return Math.expm1(shift);
}

/**
 * Repetitions per side (equal on both sides) needed so that (1) the exact U test can reach
 * `alpha` at all after the family adjustment, and (2) the minimum detectable effect at 80%
 * power falls to `target`. Both conditions only improve with n, so a binary search works.
 * Returns `cap` when even `cap` repetitions would not do.
 */
export function neededRepetitions(args: {
  noise: number;
  target: number;
  alpha: number;
  familySize: number;
  correction: Correction;
  cap?: number;
}): number {
  const cap = args.cap ?? 1000;
  const level = perMetricLevel(args.alpha, args.familySize, args.correction);
  const enough = (n: number): boolean =>
    smallestAdjustedP(smallestPValue(n, n), args.familySize, args.correction) < args.alpha &&
    minimumDetectableEffect(args.noise, n, n, level) <= args.target;
  if (!(args.target > 0) || !Number.isFinite(args.noise) || !enough(cap)) return cap;
  let lo = 2;
  let hi = cap;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (enough(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
