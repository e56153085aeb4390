import { normalQuantile } from './distributions.js';
import { SIGNED_RANK_EXACT_MAX, signedRankDistribution } from './signed-rank.js';

export interface LocationInterval {
  /** Hodges-Lehmann estimate: the median of the Walsh averages (d_i + d_j) / 2, i <= j. */
  estimate: number;
  lo: number;
  hi: number;
  /** Coverage actually achieved (the exact distribution is discrete; tiny n falls short). */
  confidence: number;
}

function walshAverages(d: readonly number[]): Float64Array {
  const n = d.length;
  const w = new Float64Array((n * (n + 1)) / 2);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) w[k++] = (d[i]! + d[j]!) / 2;
  return w.sort();
}

/**
 * The one-sample location estimate and its distribution-free interval (Tukey; Hodges and
 * Lehmann): the θ the two-sided signed-rank test at 1 - confidence does not reject, read off
 * the sorted Walsh averages as [W_(k), W_(N-k+1)], k - 1 the largest c with P(T+ <= c) <= (1 -
 * confidence) / 2. Zeros are kept here: the interval is over every round. Exact null
 * distribution (untied ranks 1..n) up to 50 rounds, the normal quantile beyond.
 */
export function hodgesLehmann(d: readonly number[], confidence: number): LocationInterval {
  const n = d.length;
  if (n === 0) return { estimate: NaN, lo: NaN, hi: NaN, confidence: 0 };
  const w = walshAverages(d);
  const N = w.length;
  const estimate = N % 2 ? w[(N - 1) / 2]! : (w[N / 2 - 1]! + w[N / 2]!) / 2;
  const half = (1 - confidence) / 2;
  let k: number;
  let achieved: number;
  if (n <= SIGNED_RANK_EXACT_MAX) {
    const dist = signedRankDistribution(Array.from({ length: n }, (_, i) => i + 1));
    // dist is indexed by 2 T+; the odd entries are zero for untied ranks.
    let acc = 0;
    let c = -1;
    for (let t = 0; 2 * t < dist.length; t++) {
      if (acc + dist[2 * t]! > half + 1e-12) break;
      acc += dist[2 * t]!;
      c = t;
    }
    k = Math.max(1, c + 1);
    achieved = c >= 0 ? 1 - 2 * acc : 1 - 2 * dist[0]!;
  } else {
    const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24);
    const c = Math.floor((n * (n + 1)) / 4 - normalQuantile(1 - half) * sd);
    k = Math.max(1, c + 1);
    achieved = confidence;
  }
  return { estimate, lo: w[k - 1]!, hi: w[N - k]!, confidence: achieved };
}
