import { welchInterval, welchTTest } from '../compare/stats/welch.js';

/**
 * Change points of one series by E-divisive means (Matteson and James, 2014), with a
 * Welch t-test as the significance test, as Apache Otava (formerly Hunter) does: a
 * permutation test is the textbook choice but costs O(n^2) per permutation, and 500 runs x
 * 100 metrics must take seconds.
 *
 * 1. Split: in a segment, the split tau maximizing the energy statistic
 *      Q(tau) = m k / (m + k) * (2/(m k) sum|x_i - y_j| - 1/C(m,2) sum|x_i - x_l| - 1/C(k,2) sum|y_j - y_l|),
 *    computed for every tau in O(n^2) by moving one point at a time from right to left.
 * 2. Test: Welch's t between the two sides; below `pValue`, keep it and recurse on both sides.
 *    The same is done in overlapping windows of 40 runs, which finds short excursions.
 * 3. Prune: re-test every change point against its neighbours only (the segment between the
 *    change points before and after it) and drop the weakest that fails, until all pass. This
 *    is what keeps old change points where they are when runs are added: each one is judged
 *    by the data around it, not by where the first split of the whole series fell.
 */
export interface ChangePointOptions {
  /** A change point must reach this p (two-sided Welch) against its neighbouring segments. */
  pValue: number;
  /** Fewest runs on either side of a change point. */
  minSize: number;
  /** Confidence of the magnitude's interval. */
  confidence: number;
}

const WINDOW = 40;

export const DEFAULT_CHANGE_POINT_OPTIONS: ChangePointOptions = { pValue: 1e-4, minSize: 4, confidence: 0.95 };

export interface ChangePoint {
  /** Index of the first run after the change. */
  index: number;
  pValue: number;
  /** Relative change of the mean, after vs before (+0.05 = 5% higher). */
  change: number;
  ci: [number, number];
  meanBefore: number;
  meanAfter: number;
}

/** The split of x[a, b) with the largest energy statistic, or null when the segment is too short. */
export function bestSplit(x: readonly number[], a: number, b: number, minSize: number): number | null {
  const n = b - a;
  if (n < 2 * minSize) return null;
  let total = 0;
  for (let i = a; i < b; i++) for (let j = i + 1; j < b; j++) total += Math.abs(x[i]! - x[j]!);
  let within = 0;
  let withinRight = total;
  let best = -Infinity;
  let bestTau: number | null = null;
  for (let tau = a + 1; tau < b; tau++) {
    const moved = x[tau - 1]!;
    let dLeft = 0;
    for (let i = a; i < tau - 1; i++) dLeft += Math.abs(x[i]! - moved);
    let dRight = 0;
    for (let j = tau; j < b; j++) dRight += Math.abs(moved - x[j]!);
    within += dLeft;
    withinRight -= dRight;
    const m = tau - a;
    const k = b - tau;
    if (m < minSize || k < minSize) continue;
    const cross = total - within - withinRight;
    const q = ((m * k) / n) * ((2 * cross) / (m * k) - (2 * within) / (m * (m - 1)) - (2 * withinRight) / (k * (k - 1)));
    if (q > best) {
      best = q;
      bestTau = tau;
    }
  }
  return bestTau;
}

function mean(v: readonly number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

/** The Welch test of x[a, tau) against x[tau, b), as a change point at tau. */
export function testSplit(x: readonly number[], a: number, tau: number, b: number, confidence: number): ChangePoint {
  const before = x.slice(a, tau);
  const after = x.slice(tau, b);
  const w = welchTTest(after, before);
  const [lo, hi] = welchInterval(w, confidence);
  const base = Math.abs(mean(before));
  const scale = base > 0 ? base : 1;
  return { index: tau, pValue: w.pValue, change: w.meanDiff / scale, ci: [lo / scale, hi / scale], meanBefore: mean(before), meanAfter: mean(after) };
}

function split(x: readonly number[], a: number, b: number, o: ChangePointOptions, found: number[]): void {
  const tau = bestSplit(x, a, b, o.minSize);
  if (tau === null) return;
  if (testSplit(x, a, tau, b, o.confidence).pValue >= o.pValue) return;
  found.push(tau);
  split(x, a, tau, o, found);
  split(x, tau, b, o, found);
}

/** Each change point tested against the segments between its neighbours. */
function retest(x: readonly number[], taus: readonly number[], o: ChangePointOptions): ChangePoint[] {
  return taus.map((tau, i) => testSplit(x, i === 0 ? 0 : taus[i - 1]!, tau, i === taus.length - 1 ? x.length : taus[i + 1]!, o.confidence));
}

export function changePoints(x: readonly number[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const o = { ...DEFAULT_CHANGE_POINT_OPTIONS, ...options };
  const found: number[] = [];
  split(x, 0, x.length, o, found);
  // Binary segmentation misses a short excursion that returns to the old level (the first split
  // of the whole series sees no difference); windows of WINDOW runs see it as two steps.
  for (let start = 0; start + 2 * o.minSize <= x.length; start += WINDOW / 2) split(x, start, Math.min(x.length, start + WINDOW), o, found);
  let taus = [...new Set(found)].sort((p, q) => p - q);
  for (;;) {
    const tested = retest(x, taus, o);
    let weakest = -1;
    tested.forEach((cp, i) => {
      if (cp.pValue >= o.pValue && (weakest < 0 || cp.pValue > tested[weakest]!.pValue)) weakest = i;
    });
    if (weakest < 0) return tested;
    taus = taus.filter((_, i) => i !== weakest);
  }
}
