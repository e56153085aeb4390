import type { Correction, StatTest } from '../scenario/types.js';
import { compareRun } from './engine.js';
import { mulberry32, standardNormal } from './stats/prng.js';
import type { Comparand, Decision } from './types.js';

/**
 * Simulated gate runs for the statistics benchmark (scripts/bench-stats.mjs) and its test:
 * every metric of a run draws baseline and current samples from the same log-normal
 * distribution, except the first metric, whose current samples are shifted by `shift`
 * (bad direction: higher, for a lower-is-better metric). shift 0 is an A/A trial.
 */
export interface TrialSpec {
  /** Coefficient of variation of the log-normal noise, e.g. 0.03. */
  cv: number;
  /** Repetitions per side. */
  n: number;
  /** Gated metrics per run: the family size. */
  metrics: number;
  /** Relative shift of metric 0's current samples (0.1 = 10% slower). */
  shift: number;
  tolerance: number;
  alpha: number;
  correction: Correction;
  test: StatTest;
  /** Share of samples hit by an outlier (a stray interrupt, a page-cache miss), multiplied by outlierFactor. */
  outlierRate: number;
  outlierFactor: number;
  trials: number;
  seed: number;
}

export interface TrialOutcome {
  trials: number;
  /** Runs with at least one `regression` verdict on a metric that did not change (a false alarm). */
  falseAlarmRuns: number;
  /** Runs in which the shifted metric (metric 0) was called a regression (shift > 0). */
  detectedRuns: number;
  /** Share of all verdicts that were `inconclusive`. */
  inconclusiveShare: number;
}

export function simulateTrials(spec: TrialSpec): TrialOutcome {
  const random = mulberry32(spec.seed);
  // Log-normal with the requested CV: sigma^2 = ln(1 + cv^2); the median stays at 1.
  const sigma = Math.sqrt(Math.log1p(spec.cv * spec.cv));
  const draw = (scale: number): number[] =>
    Array.from({ length: spec.n }, () => {
      const outlier = random() < spec.outlierRate ? spec.outlierFactor : 1;
      return scale * outlier * Math.exp(sigma * standardNormal(random));
    });
  let falseAlarmRuns = 0;
  let detectedRuns = 0;
  let inconclusive = 0;
  let verdicts = 0;
  for (let t = 0; t < spec.trials; t++) {
    const comparands: Comparand[] = [];
    for (let m = 0; m < spec.metrics; m++) {
      // Metrics at different scales, as a real run has (ns wall times next to counts).
      const scale = 1000 * (m + 1);
      comparands.push({
        name: `m${m}`,
        unit: 'ns',
        better: 'lower',
        baseline: draw(scale),
        current: draw(m === 0 ? scale * (1 + spec.shift) : scale),
        tolerance: spec.tolerance,
        alpha: spec.alpha,
      });
    }
    const run = compareRun(comparands, { test: spec.test, correction: spec.correction, seed: spec.seed + t, machineMismatch: [] });
    let falseAlarm = false;
    for (const [name, v] of run.verdicts as Map<string, Decision>) {
      verdicts++;
      if (v.status === 'inconclusive') inconclusive++;
      if (v.status !== 'regression') continue;
      if (name === 'm0' && spec.shift > 0) detectedRuns++;
      else falseAlarm = true;
    }
    if (falseAlarm) falseAlarmRuns++;
  }
  return { trials: spec.trials, falseAlarmRuns, detectedRuns, inconclusiveShare: verdicts ? inconclusive / verdicts : 0 };
}
