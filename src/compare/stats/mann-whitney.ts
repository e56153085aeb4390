import { logChoose, normalQuantile, normalSf } from './distributions.js';

/** `greater`: the first sample tends to be larger than the second (scipy's convention). */
export type Alternative = 'two-sided' | 'greater' | 'less';

export interface MannWhitneyResult {
  /** U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  pValue: number;
  /**
   * `exact`: the permutation distribution of U, used without ties while both samples have at
   * most EXACT_MAX values; `normal`: normal approximation with tie and continuity correction.
   */
  method: 'exact' | 'normal';
}

/**
 * Largest sample size (each side) for the exact distribution. The counts are C(n1+n2, n1)
 * at most C(40, 20) ~ 1.4e11, exact in a double; beyond 20 the normal approximation is
 * within a few percent of the exact p even at p ~ 1e-6.
 */
export const EXACT_MAX = 20;

const distributionCache = new Map<string, { counts: Float64Array; total: number }>();

/**
 * The null distribution of U for samples of m and n values without ties: counts[u] is the
 * number of the C(m+n, m) equally likely rank arrangements with U = u. These are the
 * coefficients of the Gaussian binomial [m+n choose m]_q, built as
 * prod_{i=1..k} (1 - q^(N-k+i)) / (1 - q^i), which stays integral after every division.
 */
export function exactUDistribution(m: number, n: number): { counts: Float64Array; total: number } {
  const k = Math.min(m, n);
  const big = Math.max(m, n);
  const key = `${k},${big}`;
  const cached = distributionCache.get(key);
  if (cached) return cached;
  const N = k + big;
  const size = k * big + k + 1;
  let poly = new Float64Array(size);
  poly[0] = 1;
  for (let i = 1; i <= k; i++) {
    const a = N - k + i;
    const next = new Float64Array(size);
    for (let j = 0; j < size; j++) next[j] = poly[j]! - (j >= a ? poly[j - a]! : 0);
    for (let j = i; j < size; j++) next[j] = next[j]! + next[j - i]!;
    poly = next;
  }
  const counts = poly.slice(0, k * big + 1);
  const total = counts.reduce((s, c) => s + c, 0);
  const result = { counts, total };
  distributionCache.set(key, result);
  return result;
}

/** P(U >= u) under the null, exact, no ties. */
function exactSf(u: number, m: number, n: number): number {
  const { counts, total } = exactUDistribution(m, n);
  let s = 0;
  for (let j = Math.max(0, Math.ceil(u - 1e-9)); j < counts.length; j++) s += counts[j]!;
  return s / total;
}

interface Ranked {
  /** Rank sum of the first sample (mid-ranks for ties). */
  r1: number;
  /** Sum over tie groups of t^3 - t. */
  tieTerm: number;
}

function rankSum(x: readonly number[], y: readonly number[]): Ranked {
  const pooled = [...x.map((v) => ({ v, first: true })), ...y.map((v) => ({ v, first: false }))];
  pooled.sort((a, b) => a.v - b.v);
  let r1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < pooled.length; ) {
    let j = i;
    while (j + 1 < pooled.length && pooled[j + 1]!.v === pooled[i]!.v) j++;
    const t = j - i + 1;
    const midRank = (i + j) / 2 + 1;
    for (let l = i; l <= j; l++) if (pooled[l]!.first) r1 += midRank;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { r1, tieTerm };
}

function tieCorrectedSigma(n1: number, n2: number, tieTerm: number): number {
  const N = n1 + n2;
  return Math.sqrt(((n1 * n2) / 12) * (N + 1 - tieTerm / (N * (N - 1))));
}

/**
 * Mann-Whitney U test of x against y. Two-sided p is twice the tail beyond the larger of U1
 * and U2, capped at 1, as scipy.stats.mannwhitneyu computes it (its values are the test's
 * reference).
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[], alternative: Alternative = 'two-sided'): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) return { u: NaN, pValue: 1, method: 'exact' };
  const { r1, tieTerm } = rankSum(x, y);
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const u = alternative === 'greater' ? u1 : alternative === 'less' ? u2 : Math.max(u1, u2);
  const factor = alternative === 'two-sided' ? 2 : 1;
  if (tieTerm === 0 && n1 <= EXACT_MAX && n2 <= EXACT_MAX) {
    return { u: u1, pValue: Math.min(1, factor * exactSf(u, n1, n2)), method: 'exact' };
  }
  const sigma = tieCorrectedSigma(n1, n2, tieTerm);
  // Every value tied: the ranks say nothing at all.
  if (!(sigma > 0)) return { u: u1, pValue: 1, method: 'normal' };
  const z = (u - (n1 * n2) / 2 - 0.5) / sigma;
  return { u: u1, pValue: Math.min(1, factor * normalSf(z)), method: 'normal' };
}

/**
 * The smallest p-value the exact test can return for these sample sizes: every value of
 * one sample above every value of the other. 1/C(n1+n2, n1) one-sided, twice that
 * two-sided: 3 vs 3 can never go below 0.1 two-sided, 5 vs 5 below 0.0079.
 */
export function smallestPValue(n1: number, n2: number, alternative: Alternative = 'two-sided'): number {
  if (n1 < 1 || n2 < 1) return 1;
  const oneSided = Math.exp(-logChoose(n1 + n2, n1));
  return Math.min(1, (alternative === 'two-sided' ? 2 : 1) * oneSided);
}

export interface ShiftInterval {
  /** Hodges-Lehmann estimate: the median of all differences y_j - x_i. */
  estimate: number;
  lo: number;
  hi: number;
  /** The coverage actually achieved (the exact distribution is discrete; tiny samples fall short). */
  confidence: number;
}

/**
 * The distribution-free confidence interval for a shift θ with y ~ x + θ (Moses; Hodges and
 * Lehmann): the set of θ the two-sided U test at level 1 - confidence does not reject, read
 * off the sorted pairwise differences as [D_(k), D_(n1 n2 - k + 1)]. It is the interval
 * that agrees with the U test: it excludes 0 exactly when the test rejects.
 */
export function shiftInterval(x: readonly number[], y: readonly number[], confidence: number): ShiftInterval {
  const n1 = x.length;
  const n2 = y.length;
  const diffs = new Float64Array(n1 * n2);
  let idx = 0;
  for (const xi of x) for (const yj of y) diffs[idx++] = yj - xi;
  diffs.sort();
  const N = diffs.length;
  if (N === 0) return { estimate: NaN, lo: NaN, hi: NaN, confidence: 0 };
  const estimate = N % 2 ? diffs[(N - 1) / 2]! : (diffs[N / 2 - 1]! + diffs[N / 2]!) / 2;
  const half = (1 - confidence) / 2;
  // c: the largest u with P(U <= u) <= half; the interval drops the c smallest and c largest
  // differences. When even c = 0 is too much (3 vs 3 at 95%), k is clamped to 1: the widest
  // interval there is, [min, max] of the differences, with its lower true coverage reported.
  const hasTies = new Set([...x, ...y]).size < n1 + n2;
  let k: number;
  let achieved: number;
  if (!hasTies && n1 <= EXACT_MAX && n2 <= EXACT_MAX) {
    const { counts, total } = exactUDistribution(n1, n2);
    const cdf: number[] = [];
    let acc = 0;
    for (let u = 0; u < counts.length; u++) cdf.push((acc += counts[u]!) / total);
    let c = -1;
    while (c + 1 < cdf.length && cdf[c + 1]! <= half + 1e-12) c++;
    k = Math.max(1, c + 1);
    achieved = 1 - 2 * cdf[k - 1]!;
  } else {
    const { tieTerm } = rankSum(x, y);
    const sigma = tieCorrectedSigma(n1, n2, tieTerm);
    const c = Math.floor((n1 * n2) / 2 - normalQuantile(1 - half) * sigma - 0.5);
    k = Math.max(1, c + 1);
    achieved = c + 1 >= 1 ? confidence : NaN;
  }
  return { estimate, lo: diffs[k - 1]!, hi: diffs[N - k]!, confidence: achieved };
}
