import { describe, expect, test } from 'vitest';
import { mulberry32, standardNormal } from '../../src/compare/stats/prng.js';
import { bestSplit, changePoints } from '../../src/history/edivisive.js';

function series(seed: number, n: number, levelAt: (i: number) => number, noise = 0.01): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => 1000 * levelAt(i) * (1 + noise * standardNormal(random)));
}

describe('E-divisive change points', () => {
  test('the best split of a clean step is the step', () => {
    const x = [1, 1, 1, 1, 1, 5, 5, 5, 5, 5];
    expect(bestSplit(x, 0, x.length, 2)).toBe(5);
  });

  test('a 10% step at 1% noise is found within one run, with its magnitude in the interval', () => {
    const x = series(1, 120, (i) => (i >= 70 ? 1.1 : 1));
    const cps = changePoints(x);
    expect(cps).toHaveLength(1);
    expect(Math.abs(cps[0]!.index - 70)).toBeLessThanOrEqual(1);
    expect(cps[0]!.ci[0]).toBeLessThan(0.1);
    expect(cps[0]!.ci[1]).toBeGreaterThan(0.1);
    expect(cps[0]!.pValue).toBeLessThan(1e-4);
  });

  test('pure noise of 300 runs has no change point', () => {
    expect(changePoints(series(2, 300, () => 1, 0.03))).toEqual([]);
  });

  test('a short excursion that returns to the old level is found as two change points', () => {
    const cps = changePoints(series(3, 200, (i) => (i >= 90 && i < 110 ? 1.1 : 1)));
    expect(cps).toHaveLength(2);
    expect(cps.some((c) => Math.abs(c.index - 90) <= 1)).toBe(true);
    expect(cps.some((c) => Math.abs(c.index - 110) <= 1)).toBe(true);
  });

  test('adding runs at the same level does not move the old change points', () => {
    const levelAt = (i: number) => (i >= 40 ? 1.08 : 1) * (i >= 95 ? 0.93 : 1);
    const full = series(4, 160, levelAt);
    const before = changePoints(full.slice(0, 130)).map((c) => c.index);
    expect(before.length).toBe(2);
    for (let n = 131; n <= 160; n++) expect(changePoints(full.slice(0, n)).map((c) => c.index)).toEqual(before);
  });

  test('a new step in the added runs adds a change point and keeps the old ones', () => {
    const x = series(5, 150, (i) => (i >= 50 ? 1.1 : 1) * (i >= 140 ? 1.1 : 1));
    const old = changePoints(x.slice(0, 135)).map((c) => c.index);
    const now = changePoints(x).map((c) => c.index);
    expect(now.slice(0, old.length)).toEqual(old);
    expect(now.at(-1)).toBeGreaterThanOrEqual(139);
  });
});
