import type { Better } from '../metrics/types.js';

/** One metric of one scenario in one stored run. */
export interface StoredPoint {
  scenario: string;
  metric: string;
  unit: string;
  better: Better;
  gated: boolean;
  /** The relative tolerance it was gated with; null when not gated. */
  tolerance: number | null;
  n: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  stddev: number;
  /** Per-repetition samples: kept for gated metrics only (see pack.ts for why). */
  samples: number[] | null;
  /** The verdict's status, null for metrics that were not gated. */
  verdict: string | null;
  /** The whole verdict as JSON (message, change, interval), gated metrics only. */
  verdictJson: string | null;
}

/** What one run of kdelta leaves in the history. */
export interface StoredRun {
  runId: string;
  startedAt: string;
  commit: string | null;
  /** The time of the commit under test; the series are ordered by it (startedAt when unknown). */
  commitTime: string;
  branch: string | null;
  machine: string;
  fingerprint: string;
  kdeltaVersion: string;
  status: string;
  /** Where the run's report lives, for the dashboard's links; null when unknown. */
  reportPath: string | null;
  points: StoredPoint[];
}

export type RunInfo = Omit<StoredRun, 'points'> & { metrics: number };

/** One run's value of one series, in series order. */
export interface SeriesPoint {
  runId: string;
  commit: string | null;
  commitTime: string;
  startedAt: string;
  reportPath: string | null;
  median: number;
  min: number;
  max: number;
  n: number;
  tolerance: number | null;
}

/** The per-run medians of one metric of one scenario on one machine class, ordered by commit time. */
export interface Series {
  machine: string;
  scenario: string;
  metric: string;
  unit: string;
  better: Better;
  points: SeriesPoint[];
}

export interface SeriesFilter {
  machine?: string;
  scenario?: string[];
  /** Names with `*` as wildcard, as in gate names. */
  metric?: string;
  /** ISO time: only runs whose commit time is at or after it. */
  since?: string;
}

export type AddOutcome = 'added' | 'exists';

export interface AddOptions {
  /** Called after each scenario's rows are written, inside the transaction (tests kill the writer here). */
  afterScenario?: (scenario: string) => void | Promise<void>;
}

/** A history store: SQLite in a file or a shared PostgreSQL, one interface. */
export interface HistoryStore {
  readonly kind: 'sqlite' | 'postgres';
  readonly location: string;
  /** Writes a run in one transaction; a run id already stored is left as it is. */
  addRun(run: StoredRun, options?: AddOptions): Promise<AddOutcome>;
  listRuns(filter?: { machine?: string; since?: string }): Promise<RunInfo[]>;
  series(filter: SeriesFilter): Promise<Series[]>;
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
