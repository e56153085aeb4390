import type { Better } from '../metrics/types.js';
import { changePoints, type ChangePointOptions } from './edivisive.js';
import type { Series } from './types.js';

/** A change point of one series, with the runs on either side, as `detect` reports it. */
export interface SeriesChange {
  machine: string;
  scenario: string;
  metric: string;
  unit: string;
  better: Better;
  /** Position of the first run after the change, and how many runs the series has. */
  index: number;
  runs: number;
  before: { runId: string; commit: string | null; commitTime: string };
  after: { runId: string; commit: string | null; commitTime: string };
  change: number;
  ci: [number, number];
  pValue: number;
  direction: 'regression' | 'improvement';
  tolerance: number;
  /** Bad direction, beyond the tolerance, and among the last `window` runs: what makes detect exit 1. */
  gates: boolean;
}

export interface DetectOptions {
  /** Change points within the last `window` runs gate. */
  window: number;
  /** Used where the stored run has no tolerance of its own (the metric was not gated). */
  tolerance: number;
  method?: Partial<ChangePointOptions>;
}

/** Runs with no median (a metric of a failed repetition) are left out of the series, not read as 0. */
export function detectSeries(s: Series, o: DetectOptions): SeriesChange[] {
  const points = s.points.filter((p) => Number.isFinite(p.median));
  const cps = changePoints(points.map((p) => p.median), o.method);
  return cps.map((cp) => {
    const before = points[cp.index - 1]!;
    const after = points[cp.index]!;
    const tolerance = after.tolerance ?? o.tolerance;
    const bad = s.better === 'lower' ? cp.change : -cp.change;
    const direction = bad > 0 ? 'regression' : 'improvement';
    return {
      machine: s.machine,
      scenario: s.scenario,
      metric: s.metric,
      unit: s.unit,
      better: s.better,
      index: cp.index,
      runs: points.length,
      before: { runId: before.runId, commit: before.commit, commitTime: before.commitTime },
      after: { runId: after.runId, commit: after.commit, commitTime: after.commitTime },
      change: cp.change,
      ci: cp.ci,
      pValue: cp.pValue,
      direction,
      tolerance,
      gates: direction === 'regression' && bad > tolerance && cp.index >= points.length - o.window,
    };
  });
}

export function detectAll(series: readonly Series[], o: DetectOptions): SeriesChange[] {
  return series.flatMap((s) => detectSeries(s, o));
}

const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
const short = (c: string | null, runId: string): string => (c ? c.slice(0, 12) : runId);

/** One line a change point: where, between which commits, how much, how sure. */
export function formatChange(c: SeriesChange): string {
  const mark = c.gates ? 'REGRESSION' : c.direction;
  return `${c.machine} ${c.scenario} ${c.metric}: ${pct(c.change)} [${pct(c.ci[0])}, ${pct(c.ci[1])}] between ${short(c.before.commit, c.before.runId)} and ${short(c.after.commit, c.after.runId)} (run ${c.index + 1} of ${c.runs}), p=${c.pValue.toExponential(1)}: ${mark}`;
}
