import { describe, expect, it } from 'vitest';
import { hodgesLehmann } from '../../src/compare/stats/hodges-lehmann.js';
import { mulberry32, standardNormal } from '../../src/compare/stats/prng.js';
import { signedRankTest, smallestSignedRankP } from '../../src/compare/stats/signed-rank.js';
import { pairedBootstrap } from '../../src/compare/paired/bootstrap.js';

// Darwin's Zea mays differences (cross- minus self-fertilised height, eighths of an inch),
// the example of scipy.stats.wilcoxon's documentation: statistic 24, p = 0.041259765625
// two-sided and 0.0206298828125 for alternative="greater" (T+ = 96), both exact.
const ZEA = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];

describe('signed-rank test', () => {
  it('gives scipy\'s exact two-sided p for the Zea mays differences', () => {
    const r = signedRankTest(ZEA);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(0.041259765625, 12);
  });

  it('gives scipy\'s exact one-sided p and T+ = 96 with alternative greater', () => {
    const r = signedRankTest(ZEA, 'greater');
    expect(r.tPlus).toBe(96);
    expect(r.pValue).toBeCloseTo(0.0206298828125, 12);
  });

  it('gives 2 / 2^5 when all five differences are positive', () => {
    expect(signedRankTest([0.1, 0.2, 0.3, 0.4, 0.5]).pValue).toBeCloseTo(2 / 32, 12);
    expect(smallestSignedRankP(5)).toBeCloseTo(0.0625, 12);
  });

  it('drops zero differences before ranking (Wilcoxon convention)', () => {
    expect(signedRankTest([0, 0, 0.1, 0.2, 0.3, 0.4, 0.5]).n).toBe(5);
    expect(signedRankTest([0, 0, 0.1, 0.2, 0.3, 0.4, 0.5]).pValue).toBeCloseTo(2 / 32, 12);
  });

  it('counts tied sizes by enumeration of the sign patterns with mid-ranks', () => {
    // |d| = 1,1,2: mid-ranks 1.5,1.5,3; T+ = 1.5 + 3 = 4.5. Of the 8 sign patterns, those with
    // T+ >= 4.5 are {4.5, 4.5, 6}: 3/8 one-sided; the lower tail T+ <= 4.5 is 7/8.
    expect(signedRankTest([1, -1, 2], 'greater').pValue).toBeCloseTo(3 / 8, 12);
    expect(signedRankTest([1, -1, 2]).pValue).toBeCloseTo(0.75, 12);
  });

  it('switches to the normal approximation beyond 50 differences and gives p near 1 for symmetric data', () => {
    const random = mulberry32(7);
    const half = Array.from({ length: 30 }, () => Math.abs(standardNormal(random)));
    const r = signedRankTest([...half, ...half.map((v) => -v)]);
    expect(r.method).toBe('normal');
    expect(r.pValue).toBeGreaterThan(0.99);
  });
});

describe('Hodges-Lehmann estimate', () => {
  it('is the median of the Walsh averages: 2 for 1, 2, 3', () => {
    // Walsh averages 1, 1.5, 2, 2, 2.5, 3
    expect(hodgesLehmann([1, 2, 3], 0.9).estimate).toBe(2);
  });

  it('uses the tabled critical value 8 for n = 10 at 95%: the 9th and 47th Walsh averages', () => {
    const d = [0.3, -1.2, 2.5, 0.8, 1.9, -0.4, 3.1, 1.1, 0.05, 2.2];
    const walsh: number[] = [];
    for (let i = 0; i < d.length; i++) for (let j = i; j < d.length; j++) walsh.push((d[i]! + d[j]!) / 2);
    walsh.sort((a, b) => a - b);
    const hl = hodgesLehmann(d, 0.95);
    expect(hl.lo).toBe(walsh[8]);
    expect(hl.hi).toBe(walsh[46]);
    // P(T+ <= 8) = 25/1024 for n = 10
    expect(hl.confidence).toBeCloseTo(1 - 50 / 1024, 12);
  });
});

describe('paired bootstrap', () => {
  it('gives the same interval for the same seed and excludes 0 for a clear shift', () => {
    const d = [0.03, 0.028, 0.035, 0.031, 0.026, 0.033, 0.029, 0.034, 0.027, 0.032];
    const a = pairedBootstrap(d, { confidence: 0.95, seed: 1 });
    expect(a).toEqual(pairedBootstrap(d, { confidence: 0.95, seed: 1 }));
    expect(a.ci[0]).toBeGreaterThan(0);
    expect(a.pValue).toBeLessThan(0.01);
  });
});
