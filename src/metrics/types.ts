/** Which direction is good for a metric: latency is `lower`, throughput is `higher`. */
export type Better = 'lower' | 'higher';

/**
 * A log-linear histogram: each power of two is split into `subBuckets` equal buckets, so a
 * percentile read from it is within 1/subBuckets of the true value (8 sub-buckets: 12.5%).
 * Buckets are sorted by `lo`, `hi` is exclusive; only non-empty buckets are listed, so
 * histograms merge by adding counts of equal `lo`.
 */
export interface Histogram {
  unit: string;
  subBuckets: number;
  buckets: Array<{ lo: number; hi: number; count: number }>;
}

/** One metric's value in one repetition, as a collector or workload produced it. */
export interface MetricPoint {
  name: string;
  unit: string;
  better: Better;
  value: number;
  histogram?: Histogram;
  /** Where the figure came from when there is more than one way (`ebpf`, `schedstat`, `cgroup-psi`). */
  source?: string;
  /**
   * Counts and totals are 0 in a repetition where the event never happened; a percentile
   * of nothing has no value. The metrics stage fills gaps with 0 only when this is true.
   */
  zeroWhenAbsent?: boolean;
}

/** One metric across the counted repetitions of a scenario: one sample per repetition. */
export interface Metric {
  name: string;
  unit: string;
  better: Better;
  samples: number[];
  /** The histograms of all repetitions merged, where the metric has one. */
  histogram?: Histogram;
  source?: string;
}

export interface Summary {
  median: number;
  mean: number;
  min: number;
  max: number;
  stddev: number;
}
