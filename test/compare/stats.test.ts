import { describe, expect, test } from 'vitest';
import { adjustPValues, smallestAdjustedP } from '../../src/compare/stats/adjust.js';
import { bootstrapMedianRatio } from '../../src/compare/stats/bootstrap.js';
import { erfc, normalQuantile, normalSf, regularizedIncompleteBeta, studentTQuantile, studentTSf } from '../../src/compare/stats/distributions.js';
import { median, minimumDetectableEffect, neededRepetitions, pooledRelativeNoise, relativeChange } from '../../src/compare/stats/effect.js';
import { exactUDistribution, mannWhitneyU, shiftInterval, smallestPValue } from '../../src/compare/stats/mann-whitney.js';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import { welchInterval, welchTTest } from '../../src/compare/stats/welch.js';

// Reference values below come from scipy 1.17 (scipy.stats / scipy.special), printed to full precision.

describe('distributions', () => {
  test('normal tail, quantile, t tail and incomplete beta match scipy', () => {
    expect(normalSf(5)).toBeCloseTo(2.866515718791933e-7, 18);
    expect(normalSf(10) / 7.61985302416047e-24).toBeCloseTo(1, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0.8)).toBeCloseTo(0.8416212335729143, 12);
    expect(erfc(1.9999)).toBeCloseTo(0.00467980209297061, 14);
    expect(erfc(2.0001)).toBeCloseTo(0.0046756686958033394, 14);
    expect(studentTSf(2.0, 5)).toBeCloseTo(0.050969739414929174, 13);
    expect(studentTSf(2.5, 7.3)).toBeCloseTo(0.019825117332800214, 13);
    expect(studentTQuantile(0.975, 4)).toBeCloseTo(2.7764451051977934, 9);
    expect(regularizedIncompleteBeta(0.3, 2.5, 4)).toBeCloseTo(0.3521975859067672, 13);
  });
});

describe('Mann-Whitney U', () => {
  const males = [19, 22, 16, 29, 24];
  const females = [20, 11, 17, 12];

  test('scipy documentation example: U = 17, exact two-sided p = 1/9', () => {
    const r = mannWhitneyU(males, females);
    expect(r.method).toBe('exact');
    expect(r.u).toBe(17);
    expect(r.pValue).toBeCloseTo(0.1111111111111111, 14);
  });

  test('the exact null distribution has C(n1+n2, n1) arrangements and is symmetric', () => {
    const { counts, total } = exactUDistribution(5, 4);
    expect(total).toBe(126);
    expect([...counts.slice(0, 4)]).toEqual([1, 1, 2, 3]);
    expect([...counts]).toEqual([...counts].reverse());
    expect(exactUDistribution(20, 20).total).toBe(137846528820);
  });

  test('3 vs 3 fully separated: two-sided p = 0.1, one-sided 0.05, never lower', () => {
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6]).pValue).toBeCloseTo(0.1, 14);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'less').pValue).toBeCloseTo(0.05, 14);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'greater').pValue).toBeCloseTo(1, 14);
    expect(smallestPValue(3, 3)).toBeCloseTo(0.1, 14);
    expect(smallestPValue(3, 3, 'greater')).toBeCloseTo(0.05, 14);
    expect(smallestPValue(5, 5)).toBeCloseTo(2 / 252, 14);
  });

  test('10 vs 10 exact, two- and one-sided, match scipy', () => {
    const x = [100.004, 100.896, 99.178, 97.328, 98.636, 97.025, 100.18, 104.021, 98.523, 98.139];
    const y = [105.47, 105.071, 104.316, 101.209, 103.912, 106.086, 99.967, 102.627, 98.296, 100.131];
    expect(mannWhitneyU(x, y).u).toBe(17);
    expect(mannWhitneyU(x, y).pValue).toBeCloseTo(0.011496243694386109, 14);
    expect(mannWhitneyU(x, y, 'less').pValue).toBeCloseTo(0.0057481218471930546, 14);
    expect(mannWhitneyU(x, y, 'greater').pValue).toBeCloseTo(0.9955346511074065, 14);
  });

  test('ties switch to the normal approximation with tie and continuity correction (scipy asymptotic)', () => {
    const a = [1, 2, 2, 3, 4, 5, 5, 6];
    const b = [3, 4, 5, 6, 6, 7, 8, 8, 9];
    const r = mannWhitneyU(a, b);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(11);
    expect(r.pValue).toBeCloseTo(0.01754696188101204, 12);
    expect(mannWhitneyU(a, b, 'less').pValue).toBeCloseTo(0.00877348094050602, 12);
  });

  test('30 vs 35 uses the normal approximation and matches scipy; the exact p is close', () => {
    const x = [40.7913, 48.8245, 43.6628, 51.3563, 50.7838, 49.0653, 37.4162, 47.3065, 49.7575, 50.5665, 42.3493, 47.6112, 45.1074, 45.9558, 55.3045, 45.9623, 49.8374, 54.4219, 47.082, 49.4415, 50.5523, 50.3189, 43.8747, 50.3807, 56.7941, 42.2643, 54.2969, 50.5968, 46.7926, 60.0021];
    const y = [56.8113, 47.0036, 53.3726, 55.8834, 52.0561, 56.4146, 52.6674, 56.3362, 60.1926, 49.6217, 54.0157, 50.6835, 53.6363, 47.064, 50.1035, 52.019, 57.4938, 58.7261, 46.3824, 49.0268, 56.2345, 43.0379, 50.6842, 52.5136, 59.2851, 56.447, 51.3639, 51.1571, 51.749, 60.6176, 50.8599, 51.4816, 54.7629, 52.3961, 52.0136];
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    expect(r.u).toBe(232);
    expect(r.pValue).toBeCloseTo(0.00011859257665007401, 12);
    // scipy's exact p for the same data is 7.12e-5: same order, the approximation is conservative here.
    expect(r.pValue / 7.12038962506554e-5).toBeGreaterThan(1);
    expect(r.pValue / 7.12038962506554e-5).toBeLessThan(2);
  });

  test('20 vs 20: the exact p and the normal approximation agree within 10%', () => {
    const x = [8.8859, 9.9885, 9.5564, 11.1661, 10.6531, 9.9759, 10.6684, 9.6601, 11.0521, 9.9946, 10.5834, 8.7091, 10.3467, 8.3118, 7.9647, 9.6955, 9.1001, 10.1641, 12.2448, 9.1683];
    const y = [10.1761, 11.0054, 11.293, 10.6236, 10.5941, 11.5025, 11.3199, 9.7663, 10.7208, 10.8353, 9.7455, 11.0598, 9.942, 11.7721, 10.9927, 10.8893, 10.209, 10.6814, 8.8023, 9.6686];
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(0.014297272922798868, 13);
    expect(r.pValue / 0.015478602442838574).toBeGreaterThan(0.9);
  });

  test('the shift interval for 10 vs 10 at 95% drops the 23 most extreme differences on each side (table value)', () => {
    const x = Array.from({ length: 10 }, (_, i) => i * 10);
    const y = Array.from({ length: 10 }, (_, i) => i * 10 + 3.5);
    const diffs = x.flatMap((xi) => y.map((yj) => yj - xi)).sort((a, b) => a - b);
    const s = shiftInterval(x, y, 0.95);
    expect(s.lo).toBe(diffs[23]);
    expect(s.hi).toBe(diffs[100 - 24]);
    expect(s.confidence).toBeGreaterThanOrEqual(0.95);
    expect(s.estimate).toBe(3.5);
  });

  test('the shift interval excludes 0 exactly when the exact test rejects at the same level', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 200; trial++) {
      const x = Array.from({ length: 8 }, () => rand());
      const y = Array.from({ length: 9 }, () => rand() + 0.4 * rand());
      const s = shiftInterval(x, y, 0.95);
      const rejects = mannWhitneyU(x, y).pValue <= 0.05;
      expect(s.lo > 0 || s.hi < 0).toBe(rejects);
    }
  });

  test('3 vs 3 cannot reach 95%: the interval is all differences and says its real coverage (90%)', () => {
    const s = shiftInterval([1, 2, 3], [10, 11, 12], 0.95);
    expect([s.lo, s.hi]).toEqual([7, 11]);
    expect(s.confidence).toBeCloseTo(0.9, 12);
  });
});

describe("Welch's t-test", () => {
  test('matches scipy ttest_ind(equal_var=False): t, df, p and the 95% interval', () => {
    const w = welchTTest([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(w.t).toBeCloseTo(2.2831482556870477, 12);
    expect(w.df).toBeCloseTo(6.928837482846501, 12);
    expect(w.pValue).toBeCloseTo(0.05675092592187574, 12);
    const [lo, hi] = welchInterval(w, 0.95);
    expect(lo).toBeCloseTo(-0.2649221891890887, 8);
    expect(hi).toBeCloseTo(14.26492218918909, 8);
    expect(welchTTest([19, 22, 16, 29, 24], [20, 11, 17, 12], 'greater').pValue).toBeCloseTo(0.02837546296093787, 12);
  });
});

describe('multiple-comparison adjustment', () => {
  test('Holm: sorted p times (m - i + 1), monotone, in input order', () => {
    const adj = adjustPValues([0.01, 0.04, 0.03, 0.005], 'holm');
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 14));
    expect(adjustPValues([0.5, 0.9], 'holm')).toEqual([1, 1]);
  });

  test('Benjamini-Hochberg: the 15 p-values of Benjamini & Hochberg (1995) match scipy false_discovery_control', () => {
    const p = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];
    const expected = [0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714, 0.06385714, 0.0645, 0.0765, 0.486, 0.58118182, 0.714875, 0.75323077, 0.81321429, 1];
    const adj = adjustPValues(p, 'bh');
    expected.forEach((v, i) => expect(adj[i]).toBeCloseTo(v, 7));
    // The paper's conclusion: at q = 0.05 the first four are discoveries.
    expect(adj.filter((a) => a < 0.05)).toHaveLength(4);
  });

  test('none leaves p alone; the smallest reachable adjusted p is m times the floor under Holm only', () => {
    expect(adjustPValues([0.2, 0.01], 'none')).toEqual([0.2, 0.01]);
    expect(smallestAdjustedP(2 / 252, 10, 'holm')).toBeCloseTo(0.079, 3);
    expect(smallestAdjustedP(2 / 252, 10, 'bh')).toBeCloseTo(2 / 252, 14);
  });
});

describe('bootstrap of the ratio of medians', () => {
  const base = [100, 101, 99, 102, 98, 100, 101, 99, 100, 100];
  const cur = base.map((v) => v * 1.1);

  test('is deterministic for a seed and covers the true ratio of a clear 10% shift', () => {
    const a = bootstrapMedianRatio(base, cur, { confidence: 0.95, seed: 42 });
    const b = bootstrapMedianRatio(base, cur, { confidence: 0.95, seed: 42 });
    expect(a).toEqual(b);
    expect(a.change).toBeCloseTo(0.1, 12);
    expect(a.ci[0]).toBeGreaterThan(0.05);
    expect(a.ci[1]).toBeLessThan(0.15);
    expect(a.pValue).toBeCloseTo(2 / 5001, 12);
  });

  test('finds no change between identical samples', () => {
    const r = bootstrapMedianRatio(base, base, { confidence: 0.95, seed: 1 });
    expect(r.change).toBe(0);
    expect(r.ci[0]).toBeLessThanOrEqual(0);
    expect(r.ci[1]).toBeGreaterThanOrEqual(0);
    expect(r.pValue).toBe(1);
  });
});

describe('effect size, noise and repetitions', () => {
  test('relative change of medians, unbounded from zero', () => {
    expect(relativeChange(median([10, 20, 30]), median([11, 22, 33]))).toBeCloseTo(0.1, 14);
    expect(relativeChange(0, 0)).toBe(0);
    expect(relativeChange(0, 5)).toBe(Infinity);
  });

  test('pooled relative noise of log-normal samples is close to their coefficient of variation', () => {
    const rand = mulberry32(3);
    const gauss = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const a = Array.from({ length: 2000 }, () => 100 * Math.exp(0.03 * gauss()));
    const b = Array.from({ length: 2000 }, () => 200 * Math.exp(0.03 * gauss()));
    expect(pooledRelativeNoise(a, b)).toBeGreaterThan(0.028);
    expect(pooledRelativeNoise(a, b)).toBeLessThan(0.032);
  });

  test('MDE follows (t + t) * noise * sqrt(2/n) / sqrt(3/pi) and shrinks with n', () => {
    // n = 10 per side, 3% noise, alpha 0.05 two-sided, 80% power: (2.101 + 0.862) * 0.03 * 0.447 / 0.977 = 4.07%.
    expect(minimumDetectableEffect(0.03, 10, 10, 0.05)).toBeCloseTo(Math.expm1(0.04068), 3);
    expect(minimumDetectableEffect(0.03, 20, 20, 0.05)).toBeLessThan(minimumDetectableEffect(0.03, 10, 10, 0.05));
    expect(minimumDetectableEffect(0.03, 1, 10, 0.05)).toBe(Infinity);
  });

  test('needed repetitions: the floor alone needs 4 per side at alpha 0.05; a holm family of 10 needs 6', () => {
    expect(neededRepetitions({ noise: 0.0001, target: 0.05, alpha: 0.05, familySize: 1, correction: 'holm' })).toBe(4);
    // 2 / C(10, 5) * 10 = 0.079; 2 / C(12, 6) * 10 = 0.022.
    expect(neededRepetitions({ noise: 0.0001, target: 0.05, alpha: 0.05, familySize: 10, correction: 'holm' })).toBe(6);
    const n = neededRepetitions({ noise: 0.03, target: 0.03, alpha: 0.05, familySize: 1, correction: 'holm' });
    expect(minimumDetectableEffect(0.03, n, n, 0.05)).toBeLessThanOrEqual(0.03);
    expect(minimumDetectableEffect(0.03, n - 1, n - 1, 0.05)).toBeGreaterThan(0.03);
  });
});
