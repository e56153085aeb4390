import { adjustPValues, perMetricLevel, smallestAdjustedP } from './stats/adjust.js';
import { bootstrapMedianRatio } from './stats/bootstrap.js';
import { median, minimumDetectableEffect, neededRepetitions, pooledRelativeNoise, relativeChange } from './stats/effect.js';
import { mannWhitneyU, shiftInterval, smallestPValue } from './stats/mann-whitney.js';
import { seedFromString } from './stats/prng.js';
import { welchInterval, welchTTest } from './stats/welch.js';
import type { Comparand, CompareOptions, Comparison, Decision, Subject, Undecided } from './types.js';

export { checkLimit } from './limit.js';
export { gatedMetrics } from './gate.js';

/** What one test says about one comparand, before the family adjustment. */
interface Tested {
  pValue: number;
  change: number;
  ci: [number, number];
  noise: number;
}

function scaleInterval(lo: number, hi: number, scale: number): [number, number] {
  if (scale > 0) return [lo / scale, hi / scale];
  const unbounded = (v: number): number => (v === 0 ? 0 : v > 0 ? Infinity : -Infinity);
  return [unbounded(lo), unbounded(hi)];
}

/**
 * The change is always the relative change of the medians. Its interval comes from the test
 * in use, so the interval and the p-value tell the same story:
 *  - mann-whitney: the Hodges-Lehmann / Moses interval of the shift in log values, read off
 *    the same U distribution as the test (it excludes 0 exactly when the unadjusted test
 *    rejects). Chosen over a bootstrap because it is distribution-free, exact for small
 *    samples, deterministic and cheap, while a bootstrap of the median of 5-10 values takes
 *    only a handful of distinct values and under-covers;
 *  - welch: Welch on log values (timing noise is multiplicative; the interval is then one of
 *    the ratio of geometric means);
 *  - bootstrap: percentile bootstrap of the ratio of medians, seeded per metric.
 * Log scale needs positive values; with zeros or negatives the raw-unit interval is divided
 * by |baseline median| (or mean, for Welch).
 */
function testComparand(c: Comparand, baseline: number[], options: CompareOptions): Tested {
  const confidence = 1 - c.alpha;
  const current = c.current;
  const change = relativeChange(median(baseline), median(current));
  const noise = pooledRelativeNoise(baseline, current);
  const positive = baseline.every((v) => v > 0) && current.every((v) => v > 0);
  switch (c.test ?? options.test) {
    case 'mann-whitney': {
      const pValue = mannWhitneyU(current, baseline).pValue;
      if (positive) {
        const s = shiftInterval(baseline.map(Math.log), current.map(Math.log), confidence);
        return { pValue, change, ci: [Math.expm1(s.lo), Math.expm1(s.hi)], noise };
      }
      const s = shiftInterval(baseline, current, confidence);
      return { pValue, change, ci: scaleInterval(s.lo, s.hi, Math.abs(median(baseline))), noise };
    }
    case 'welch': {
      if (positive) {
        const w = welchTTest(current.map(Math.log), baseline.map(Math.log));
        const [lo, hi] = welchInterval(w, confidence);
        return { pValue: w.pValue, change, ci: [Math.expm1(lo), Math.expm1(hi)], noise };
      }
      const w = welchTTest(current, baseline);
      const [lo, hi] = welchInterval(w, confidence);
      const mean = baseline.reduce((a, b) => a + b, 0) / baseline.length;
      return { pValue: w.pValue, change, ci: scaleInterval(lo, hi, Math.abs(mean)), noise };
    }
    case 'bootstrap': {
      const b = bootstrapMedianRatio(baseline, current, { confidence, seed: seedFromString(c.name, options.seed) });
      return { pValue: b.pValue, change, ci: b.ci, noise };
    }
  }
}

/**
 * Compares every comparand's current samples with its baseline samples and returns one
 * verdict per comparand name. Pure: no I/O, deterministic for a given `options.seed`.
 *
 * The family: every comparand with a non-empty baseline and current sample; their p-values
 * (two-sided, so regressions and improvements are judged by the same p) are adjusted
 * together with `options.correction`, and `family.size` says how many there were.
 *
 * The rules, in order, for one comparand (bad = the change signed so that positive is worse:
 * +change for lower-is-better, -change for higher-is-better; same for the CI bounds):
 *  1. no baseline, or an empty one -> `no-baseline`; no current samples -> `unavailable`.
 *  2. The sample sizes cannot reach alpha at all -> `inconclusive`. Judged by the exact
 *     U test's smallest two-sided p, 2 / C(n1+n2, n1), after the family adjustment
 *     (Holm: times the family size): 3 vs 3 (0.1) never gates, 5 vs 5 (0.0079) gates alone
 *     but not in a Holm family of 7 or more. This floor applies to every test: Welch can
 *     print a tiny p from 3 values only by trusting a normality the data cannot show, and a
 *     bootstrap of 3 values has 10 distinct resamples.
 *  3. adjusted p < alpha and bad > tolerance -> `regression`.
 *  4. adjusted p < alpha and -bad > tolerance -> `improvement`.
 *  5. The CI reaches beyond the tolerance in the bad direction (bad CI high > tolerance) and
 *     either also reaches 0 (bad CI low <= 0: the data cannot tell "no change" from "a
 *     regression beyond tolerance") or the point change itself is beyond the tolerance
 *     without being significant (after adjustment) -> `inconclusive`. With tolerance 0 every
 *     CI that straddles 0 is inconclusive: "any slowdown matters" cannot be confirmed absent.
 *     Only the bad direction makes a result inconclusive: an unresolved improvement cannot
 *     hide a regression.
 *  6. Otherwise -> `pass` (including significant changes within tolerance).
 *
 * Per comparand, `test` and `machineMismatch` override the options (a run's family spans
 * scenarios), and `label` replaces `name` where the report names the metric.
 *
 * Machine mismatch (the comparand's or the options' list non-empty): a would-be `regression`
 * becomes `pass` with `downgraded` set to the differences (exit 0, "warnings allowed"), and
 * every other verdict is unchanged. Refusing such a baseline is decided before the run, where
 * baselines are found.
 *
 * `mde` is the minimum detectable effect at 80% power for the per-metric level the family
 * demands (alpha / m for holm and bh); Infinity (JSON null) when rule 2 applies.
 * `neededRepetitions` is the number per side that brings the mde down to the tolerance (to
 * |change| when the tolerance is 0, to 1% when both are 0) and lets the floor reach alpha.
 */
export function compareRun(comparands: readonly Comparand[], options: CompareOptions): Comparison {
  const inFamily = comparands.filter((c) => c.baseline !== null && c.baseline.length > 0 && c.current.length > 0);
  const tested = new Map<Comparand, Tested>();
  for (const c of inFamily) tested.set(c, testComparand(c, c.baseline!, options));
  const adjusted = adjustPValues(
    inFamily.map((c) => tested.get(c)!.pValue),
    options.correction,
  );
  const adjustedOf = new Map(inFamily.map((c, i) => [c, adjusted[i]!]));
  const size = inFamily.length;
  const verdicts = new Map<string, Decision>();
  for (const c of comparands) {
    const t = tested.get(c);
    const label = c.label ?? c.name;
    if (!t) {
      verdicts.set(
        c.name,
        c.baseline === null || c.baseline.length === 0
          ? { status: 'no-baseline', label, emptyBaseline: c.baseline !== null }
          : { status: 'unavailable', label },
      );
      continue;
    }
    verdicts.set(c.name, verdictOf(c, t, adjustedOf.get(c)!, size, options));
  }
  return { verdicts, family: { size, correction: options.correction } };
}

function verdictOf(c: Comparand, t: Tested, adjustedP: number, size: number, options: CompareOptions): Decision {
  const n1 = c.baseline!.length;
  const n2 = c.current.length;
  const sign = c.better === 'lower' ? 1 : -1;
  const bad = sign * t.change;
  const [badLo, badHi] = sign === 1 ? t.ci : [-t.ci[1], -t.ci[0]];
  const floor = smallestAdjustedP(smallestPValue(n1, n2), size, options.correction);
  const reachable = floor < c.alpha;
  const mde = reachable ? minimumDetectableEffect(t.noise, n1, n2, perMetricLevel(c.alpha, size, options.correction)) : Infinity;
  const subject: Subject = {
    label: c.label ?? c.name,
    unit: c.unit,
    better: c.better,
    tolerance: c.tolerance,
    alpha: c.alpha,
    baselineMedian: median(c.baseline!),
    currentMedian: median(c.current),
    n: [n1, n2],
    family: { size, correction: options.correction },
  };
  const common = { change: t.change, ci: t.ci, pValue: t.pValue, adjustedP, mde, subject };

  const inconclusive = (why: Undecided): Decision => {
    const target = c.tolerance > 0 ? c.tolerance : Number.isFinite(t.change) && t.change !== 0 ? Math.abs(t.change) : 0.01;
    const needed = neededRepetitions({ noise: t.noise, target, alpha: c.alpha, familySize: size, correction: options.correction });
    return { status: 'inconclusive', ...common, neededRepetitions: needed, why };
  };

  if (!reachable) return inconclusive({ kind: 'too-few', smallestP: smallestPValue(n1, n2), floor });
  const significant = adjustedP < c.alpha;
  if (significant && bad > c.tolerance) {
    const mismatch = c.machineMismatch ?? options.machineMismatch;
    if (mismatch.length > 0) return { status: 'pass', ...common, significant, downgraded: mismatch };
    return { status: 'regression', ...common, significant, downgraded: null };
  }
  if (significant && -bad > c.tolerance) return { status: 'improvement', ...common, significant, downgraded: null };
  if (badHi > c.tolerance && (badLo <= 0 || bad > c.tolerance)) {
    return inconclusive({ kind: badLo <= 0 ? 'ci-spans' : 'not-significant' });
  }
  return { status: 'pass', ...common, significant, downgraded: null };
}
