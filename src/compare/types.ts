import type { Better } from '../metrics/types.js';
import type { Correction, StatTest } from '../scenario/types.js';

/**
 * The outcome for one gated metric or limit. `change` is the relative change of the median,
 * current vs baseline (+0.05 = 5% higher), with its confidence interval `ci`.
 * `mde` is the minimum detectable effect (relative) given the observed noise and sample sizes.
 */
export type Verdict =
  | {
      status: 'pass' | 'regression' | 'improvement';
      change: number;
      ci: [number, number];
      pValue: number;
      adjustedP: number;
      mde: number;
      message: string;
      /** Set when the regression was downgraded (baseline from another machine class). */
      warning?: string;
    }
  | {
      status: 'inconclusive';
      change: number;
      ci: [number, number];
      pValue: number;
      adjustedP: number;
      mde: number;
      /** Repetitions per side that would let the test reach alpha and resolve the tolerance. */
      neededRepetitions: number;
      message: string;
    }
  | {
      status: 'limit-exceeded';
      /** The offending value (median, or the worst repetition with `each`). */
      value: number;
      limit: string;
      message: string;
    }
  | { status: 'no-baseline' | 'unavailable'; message: string };

export type VerdictStatus = Verdict['status'];

/** One gated metric's input to the engine. */
export interface Comparand {
  name: string;
  unit: string;
  better: Better;
  baseline: number[] | null;
  current: number[];
  tolerance: number;
  alpha: number;
  /** Overrides `CompareOptions.test` for this comparand (one family can span scenarios with different tests). */
  test?: StatTest;
  /** Overrides `CompareOptions.machineMismatch` for this comparand (its scenario's baseline). */
  machineMismatch?: string[];
  /** The name shown in messages when `name` is a composite key (e.g. scenario + metric); defaults to `name`. */
  label?: string;
}

export interface CompareOptions {
  test: StatTest;
  correction: Correction;
  /** Seed for the bootstrap, so a report can be reproduced. */
  seed: number;
  /** The baseline comes from another machine class: regressions become warnings unless `requireSameMachine`. */
  machineMismatch: string[];
  /** `kdelta run` refuses such baselines before it measures (baselines/find.ts), so no caller there sets this. */
  requireSameMachine?: boolean;
}

/** The outcome of comparing one run: one verdict per comparand, and the family the p-values were adjusted in. */
export interface Comparison {
  verdicts: Map<string, Verdict>;
  family: { size: number; correction: Correction };
}
