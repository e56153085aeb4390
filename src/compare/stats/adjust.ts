import type { Correction } from '../../scenario/types.js';

/**
 * Multiple-comparison adjusted p-values, in input order.
 * holm: step-down, p_(i) * (m - i + 1), made monotone upward; controls the family-wise error
 * rate under any dependence between metrics (kernel metrics of one run are correlated).
 * bh: Benjamini-Hochberg step-up, p_(i) * m / i, made monotone downward; controls the false
 * discovery rate (valid under independence or positive dependence).
 */
export function adjustPValues(pValues: readonly number[], correction: Correction): number[] {
  const m = pValues.length;
  if (correction === 'none' || m === 0) return pValues.map((p) => Math.min(1, p));
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const out = new Array<number>(m);
  if (correction === 'holm') {
    let running = 0;
    order.forEach(({ p, i }, rank) => {
      running = Math.max(running, Math.min(1, (m - rank) * p));
      out[i] = running;
    });
  } else {
    let running = 1;
    for (let rank = m - 1; rank >= 0; rank--) {
      const { p, i } = order[rank]!;
      running = Math.min(running, (m * p) / (rank + 1));
      out[i] = Math.min(1, running);
    }
  }
  return out;
}

/**
 * The smallest adjusted p any metric of a family of `size` can reach when the best raw p
 * the test can return is `smallestRaw`. Holm multiplies the smallest raw p by m and every
 * later adjusted p is at least that; BH can, at best (every metric equally extreme), leave
 * it unchanged. Used to call a comparison inconclusive before looking at the data.
 */
export function smallestAdjustedP(smallestRaw: number, size: number, correction: Correction): number {
  return correction === 'holm' ? Math.min(1, smallestRaw * Math.max(1, size)) : smallestRaw;
}

/**
 * The level the most significant metric of a family must reach: alpha / m under Holm, and
 * under BH too when only one metric really changed (its step-up threshold is alpha * 1 / m).
 */
export function perMetricLevel(alpha: number, size: number, correction: Correction): number {
  return correction === 'none' ? alpha : alpha / Math.max(1, size);
}
