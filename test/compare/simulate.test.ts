import { describe, expect, test } from 'vitest';
import { simulateTrials, type TrialSpec } from '../../src/compare/simulate.js';

// The statistics benchmark's claims at test size (scripts/bench-stats.mjs prints the full table).
// Fixed seeds: these numbers do not move between runs. The margin on the false-alarm rate is
// 2.33 binomial standard errors (one-sided 99%) of a rate of alpha over the trials run.
const base: Omit<TrialSpec, 'cv' | 'n' | 'metrics' | 'shift' | 'tolerance' | 'trials' | 'seed'> = {
  alpha: 0.05,
  correction: 'holm',
  test: 'mann-whitney',
  outlierRate: 0.02,
  outlierFactor: 1.5,
};
const margin = (trials: number): number => 2.33 * Math.sqrt((0.05 * 0.95) / trials);

describe('simulated gate runs', () => {
  test.each([
    { cv: 0.03, n: 10, metrics: 10 },
    { cv: 0.1, n: 20, metrics: 1 },
    { cv: 0.01, n: 5, metrics: 1 },
  ])('A/A: the family-wise false-alarm rate stays at or below alpha (CoV $cv, n $n, $metrics gated, tolerance 0)', ({ cv, n, metrics }) => {
    const trials = 400;
    const r = simulateTrials({ ...base, cv, n, metrics, shift: 0, tolerance: 0, trials, seed: 7 });
    expect(r.falseAlarmRuns / trials).toBeLessThanOrEqual(0.05 + margin(trials));
  });

  test.each([1, 10])('A/B: a 10%% shift at 3%% CoV with n = 10 is found in at least 90%% of runs (%i gated, tolerance 5%%)', (metrics) => {
    const trials = 300;
    const r = simulateTrials({ ...base, cv: 0.03, n: 10, metrics, shift: 0.1, tolerance: 0.05, trials, seed: 11 });
    expect(r.detectedRuns / trials).toBeGreaterThanOrEqual(0.9);
    expect(r.falseAlarmRuns / trials).toBeLessThanOrEqual(0.05 + margin(trials));
  });

  test('5 vs 5 in a Holm family of 10 is always inconclusive, never a regression', () => {
    const r = simulateTrials({ ...base, cv: 0.01, n: 5, metrics: 10, shift: 0.5, tolerance: 0.05, trials: 50, seed: 3 });
    expect(r.detectedRuns).toBe(0);
    expect(r.inconclusiveShare).toBe(1);
  });
});
