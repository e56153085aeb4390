import { studentTQuantile, studentTSf } from './distributions.js';
import type { Alternative } from './mann-whitney.js';

export interface WelchResult {
  /** (mean x - mean y) / se */
  t: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  pValue: number;
  /** mean x - mean y */
  meanDiff: number;
  se: number;
}

function meanAndVariance(v: readonly number[]): { mean: number; variance: number } {
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, variance };
}

/** Welch's unequal-variance t-test of x against y (scipy.stats.ttest_ind with equal_var=False). */
export function welchTTest(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): WelchResult {
  const a = meanAndVariance(x);
  const b = meanAndVariance(y);
  const vx = a.variance / x.length;
  const vy = b.variance / y.length;
  const se = Math.sqrt(vx + vy);
  const meanDiff = a.mean - b.mean;
  if (x.length < 2 || y.length < 2) return { t: NaN, df: NaN, pValue: 1, meanDiff, se };
  if (se === 0) {
    // Both samples constant: either identical (no evidence) or separated without any noise.
    const p = meanDiff === 0 ? 1 : alternative === 'two-sided' || (alternative === 'greater') === meanDiff > 0 ? 0 : 1;
    return { t: meanDiff === 0 ? 0 : Math.sign(meanDiff) * Infinity, df: x.length + y.length - 2, pValue: p, meanDiff, se };
  }
  const df = (vx + vy) ** 2 / (vx ** 2 / (x.length - 1) + vy ** 2 / (y.length - 1));
  const t = meanDiff / se;
  const pValue =
    alternative === 'greater' ? studentTSf(t, df) : alternative === 'less' ? studentTSf(-t, df) : Math.min(1, 2 * studentTSf(Math.abs(t), df));
  return { t, df, pValue, meanDiff, se };
}

/** Two-sided confidence interval of mean x - mean y from the Welch statistics. */
export function welchInterval(result: WelchResult, confidence: number): [number, number] {
  if (result.se === 0) return [result.meanDiff, result.meanDiff];
  const q = studentTQuantile(1 - (1 - confidence) / 2, result.df);
  return [result.meanDiff - q * result.se, result.meanDiff + q * result.se];
}
