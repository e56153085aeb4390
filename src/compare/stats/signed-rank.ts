import { normalSf } from './distributions.js';
import type { Alternative } from './mann-whitney.js';

export interface SignedRankResult {
  /** T+: the sum of the ranks of the positive differences (mid-ranks for ties). */
  tPlus: number;
  /** Differences left after zeros are dropped (Wilcoxon's convention). */
  n: number;
  pValue: number;
  /**
   * `exact`: the permutation distribution of T+ over the 2^n equally likely sign patterns,
   * conditional on the observed (tied) ranks; `normal`: normal approximation with the tie
   * correction of the variance and no continuity correction (scipy's defaults).
   */
  method: 'exact' | 'normal';
}

/** Largest n for the exact distribution; beyond it the normal approximation is within ~1e-3 of it. */
export const SIGNED_RANK_EXACT_MAX = 50;

/** Ranks of |d| (1-based, mid-ranks for ties) and the tie term sum(t^3 - t). */
function absRanks(d: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = d.map((v, i) => ({ a: Math.abs(v), i })).sort((x, y) => x.a - y.a);
  const ranks = new Array<number>(d.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]!.a === order[i]!.a) j++;
    const t = j - i + 1;
    for (let l = i; l <= j; l++) ranks[order[l]!.i] = (i + j) / 2 + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks, tieTerm };
}

const cache = new Map<string, Float64Array>();

/**
 * Probabilities of each value of 2*T+ (doubled, so mid-ranks stay integers) when every sign
 * is a fair coin: the coefficients of prod_i (1 + x^(2 r_i)) / 2^n, built term by term.
 */
export function signedRankDistribution(ranks: readonly number[]): Float64Array {
  const doubled = ranks.map((r) => Math.round(2 * r)).sort((a, b) => a - b);
  const key = doubled.join(',');
  const hit = cache.get(key);
  if (hit) return hit;
  const max = doubled.reduce((s, r) => s + r, 0);
  let dist = new Float64Array(max + 1);
  dist[0] = 1;
  let reach = 0;
  for (const r of doubled) {
    const next = new Float64Array(max + 1);
    for (let s = 0; s <= reach; s++) {
      const p = dist[s]! / 2;
      if (p === 0) continue;
      next[s] = next[s]! + p;
      next[s + r] = next[s + r]! + p;
    }
    reach += r;
    dist = next;
  }
  if (cache.size < 2000) cache.set(key, dist);
  return dist;
}

/**
 * Wilcoxon signed-rank test of the differences `d` against a median of 0. Zeros are dropped
 * before ranking (Wilcoxon's convention, scipy's `zero_method="wilcox"`): a round where both
 * sides measured the same value says nothing about the direction. `greater`: d tends to be
 * positive. Two-sided p is twice the smaller tail, capped at 1.
 */
export function signedRankTest(d: readonly number[], alternative: Alternative = 'two-sided'): SignedRankResult {
  const nz = d.filter((v) => v !== 0 && Number.isFinite(v));
  const n = nz.length;
  if (n === 0) return { tPlus: 0, n: 0, pValue: 1, method: 'exact' };
  const { ranks, tieTerm } = absRanks(nz);
  let tPlus = 0;
  nz.forEach((v, i) => {
    if (v > 0) tPlus += ranks[i]!;
  });
  if (n <= SIGNED_RANK_EXACT_MAX) {
    const dist = signedRankDistribution(ranks);
    const t2 = Math.round(2 * tPlus);
    let upper = 0;
    let lower = 0;
    for (let s = 0; s < dist.length; s++) {
      if (s >= t2) upper += dist[s]!;
      if (s <= t2) lower += dist[s]!;
    }
    const p = alternative === 'greater' ? upper : alternative === 'less' ? lower : 2 * Math.min(upper, lower);
    return { tPlus, n, pValue: Math.min(1, p), method: 'exact' };
  }
  const mean = (n * (n + 1)) / 4;
  const sd = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm / 48);
  if (!(sd > 0)) return { tPlus, n, pValue: 1, method: 'normal' };
  const z = (tPlus - mean) / sd;
  const p = alternative === 'greater' ? normalSf(z) : alternative === 'less' ? normalSf(-z) : 2 * normalSf(Math.abs(z));
  return { tPlus, n, pValue: Math.min(1, p), method: 'normal' };
}

/** The smallest two-sided p the exact test can give for n non-zero differences: 2 / 2^n. */
export function smallestSignedRankP(n: number): number {
  return n < 1 ? 1 : Math.min(1, 2 / 2 ** n);
}
