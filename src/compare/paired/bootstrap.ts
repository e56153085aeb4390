import { mulberry32 } from '../stats/prng.js';

export interface PairedBootstrapResult {
  /** Median of the per-round differences. */
  estimate: number;
  ci: [number, number];
  /** Two-sided: twice the share of resampled medians on the far side of 0, with the +1 of a Monte Carlo p. */
  pValue: number;
}

function medianOf(a: Float64Array): number {
  a.sort();
  const n = a.length;
  return n % 2 ? a[(n - 1) / 2]! : (a[n / 2 - 1]! + a[n / 2]!) / 2;
}

/**
 * Percentile bootstrap of the median per-round difference, resampling whole rounds so the
 * pairing is kept. Seeded: the same rounds and seed give the same interval.
 */
export function pairedBootstrap(d: readonly number[], options: { confidence: number; seed: number; resamples?: number }): PairedBootstrapResult {
  const n = d.length;
  if (n === 0) return { estimate: NaN, ci: [NaN, NaN], pValue: 1 };
  const resamples = options.resamples ?? 5000;
  const random = mulberry32(options.seed);
  const scratch = new Float64Array(n);
  const medians = new Float64Array(resamples);
  let below = 0;
  let above = 0;
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) scratch[i] = d[Math.floor(random() * n)]!;
    const m = medianOf(scratch);
    medians[r] = m;
    if (m <= 0) below++;
    if (m >= 0) above++;
  }
  medians.sort();
  const half = (1 - options.confidence) / 2;
  const at = (q: number): number => medians[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return {
    estimate: medianOf(Float64Array.from(d)),
    ci: [at(half), at(1 - half)],
    pValue: Math.min(1, (2 * (1 + Math.min(below, above))) / (resamples + 1)),
  };
}
