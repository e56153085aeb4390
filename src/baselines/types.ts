import type { Fingerprint } from '../environment/types.js';
import type { Better } from '../metrics/types.js';

/** A stored baseline: per scenario, per machine class. Written as pretty JSON with sorted keys. */
export interface Baseline {
  schemaVersion: 1;
  scenario: string;
  /** sha256 of the normalized workload definition: a changed workload makes the baseline stale. */
  workloadHash: string;
  machine: string;
  metrics: Record<string, { unit: string; better: Better; samples: number[] }>;
  environment: Fingerprint;
  provenance: {
    commit: string | null;
    time: string;
    reason: string;
    kdeltaVersion: string;
  };
}

/** The baseline a scenario run is compared with, as found before the run. */
export interface BaselineMatch {
  path: string;
  baseline: Baseline;
  /** Fingerprint fields that differ from this machine. */
  mismatch: string[];
  /** The workload definition changed since the baseline was recorded. */
  stale: boolean;
}
