import type { Better } from '../metrics/types.js';
import type { Correction, LimitSpec, StatTest } from '../scenario/types.js';

/** The statistics of one comparison: relative change of the median, its interval, the p-values and the mde. */
export interface Tested {
  /** Relative change of the median, current vs baseline (+0.05 = 5% higher). */
  change: number;
  ci: [number, number];
  pValue: number;
  adjustedP: number;
  /** Minimum detectable effect (relative) given the observed noise and sample sizes; Infinity when alpha is out of reach. */
  mde: number;
}

/** What was compared, as the report needs it to say so: the numbers behind the verdict, no text but the name. */
export interface Subject {
  /** The metric's name as shown (the comparand's label). */
  label: string;
  unit: string;
  better: Better;
  tolerance: number;
  alpha: number;
  baselineMedian: number;
  currentMedian: number;
  /** Repetitions in the baseline and in the current run. */
  n: [number, number];
  family: { size: number; correction: Correction };
  /**
   * Set when both sides ran interleaved on this machine and were compared round by round
   * (`kdelta ab`): the rounds measured, the sequential design's bounds, and whether a pass
   * came from the interval lying inside the tolerance.
   */
  paired?: { rounds: number; design: { min: number; max: number }; equivalent: boolean };
}

/** Why a comparison could not decide. */
export type Undecided =
  /** The sample sizes cannot reach alpha: the smallest possible p, before and after the family adjustment. */
  | { kind: 'too-few'; smallestP: number; floor: number }
  /** The confidence interval spans both no change and a change beyond the tolerance. */
  | { kind: 'ci-spans' }
  /** The change is beyond the tolerance but not significant. */
  | { kind: 'not-significant' }
  /** The current samples are in doubt (compare/doubt.ts): what was lost, in which repetitions. */
  | { kind: 'doubtful'; doubts: MetricDoubt[] };

/**
 * One reason a metric's samples are in doubt, summed over the repetitions it hit. In a
 * `kdelta ab` comparison `side` says whose samples, and the repetitions are that side's rounds.
 */
export type MetricDoubt = { side?: 'base' | 'head' } & (
  | { kind: 'left-cgroup'; repetitions: number[]; processes: number }
  | { kind: 'output-cut'; repetitions: number[]; bytes: number; lines: number }
  | { kind: 'capture-lost'; repetitions: number[]; entries: number }
);

/**
 * The outcome of comparing one gated metric with its baseline: a status and numbers, no
 * sentences (report/ words them). `downgraded` lists the fingerprint differences when a
 * regression became a pass because the baseline comes from another machine class.
 */
export type Decision =
  | ({ status: 'pass' | 'regression' | 'improvement'; significant: boolean; downgraded: string[] | null; subject: Subject } & Tested)
  | ({ status: 'inconclusive'; neededRepetitions: number; why: Undecided; subject: Subject } & Tested)
  | { status: 'no-baseline'; label: string; emptyBaseline: boolean }
  | { status: 'unavailable'; label: string };

/** The outcome of an absolute limit: the value that decided it (the median, or the worst repetition with `each`). */
export type LimitDecision =
  | { status: 'pass' | 'limit-exceeded'; limit: LimitSpec; value: number; unit: string; samples: number }
  | { status: 'unavailable'; limit: LimitSpec };

export type DecisionStatus = Decision['status'] | LimitDecision['status'];

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
  /** The baseline comes from another machine class: regressions become warnings (refusing it is decided where baselines are found). */
  machineMismatch: string[];
}

/** The outcome of comparing one run: one verdict per comparand, and the family the p-values were adjusted in. */
export interface Comparison {
  verdicts: Map<string, Decision>;
  family: { size: number; correction: Correction };
}
