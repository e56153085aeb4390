import type { Better, Summary } from '../../metrics/types.js';
import { UNIT_NS } from '../../scenario/units.js';
import type { Report } from '../types.js';

/*
 * What every export format is built from: one row per metric of a scenario, with the
 * repetitions summarized. Gated metrics by default (what the run was judged on), every metric
 * with `all`; a metric that has no sample (its collector could not run) has nothing to export.
 */

export interface ExportRow {
  scenario: string;
  metric: string;
  unit: string;
  better: Better;
  gated: boolean;
  /** The run's verdict on the metric (`pass`, `regression`, ...), or null when it has none. */
  verdict: string | null;
  summary: Summary;
  n: number;
}

export interface ExportSelection {
  all: boolean;
}

export function exportRows(report: Report, selection: ExportSelection): ExportRow[] {
  return report.scenarios.flatMap((s) =>
    s.metrics
      .filter((m) => m.samples.length > 0 && (selection.all || m.gated))
      .map((m) => ({
        scenario: s.name,
        metric: m.name,
        unit: m.unit,
        better: m.better,
        gated: m.gated,
        verdict: m.verdict?.status ?? null,
        summary: m.summary,
        n: m.samples.length,
      })),
  );
}

/** A time metric's factor to nanoseconds, or null when the unit is not a time. */
export function nsPerUnit(unit: string): number | null {
  return unit === 'm' ? null : (UNIT_NS[unit] ?? null);
}

/** The same row with its figures multiplied by `factor` (a unit conversion). */
export function scaled(summary: Summary, factor: number): Summary {
  return {
    median: summary.median * factor,
    mean: summary.mean * factor,
    min: summary.min * factor,
    max: summary.max * factor,
    stddev: summary.stddev * factor,
  };
}
