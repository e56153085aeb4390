import { bucketBounds, bucketKeyOf } from '../metrics/histogram.js';
import { summarize } from '../metrics/summary.js';
import { mapScenarioSeries } from './compact-grids.js';
import type { Histogram } from '../metrics/types.js';
import type { MetricReport, Report, ScenarioReport } from './types.js';

/*
 * report.json as written: the in-memory Report with what repeats or follows from the rest
 * left out, so the suite's report stays a few hundred kilobytes.
 *  - A metric's fields at their usual value are absent: `better` when lower is better,
 *    `gated` when not gated, `histogram`, `source` and `verdict` when null, `baseline` when
 *    the metric has none. A present `baseline` is the baseline's samples, once.
 *  - Summaries are recomputed from the samples on reading.
 *  - Histogram buckets are parallel arrays (lo, count); `hi` is absent when every bucket is
 *    the standard log-linear one of its `lo` (it is then recomputed), kept otherwise.
 *  - `metricDefaults` of a scenario names the unit and source most of its metrics share; a
 *    metric with that unit or source leaves it out (an explicit `source: null` then stands
 *    for none). Absent, as in older reports, a missing source is null.
 *  - The per-CPU series and timeline rows have their runs of zeros coded (compact-grids.ts).
 * Reading unfolds every form kdelta has written: one object per bucket with summaries and
 * baseline samples per metric, and the scenario-wide `baselineSamples` with `baseline: {}`.
 * Nothing is rounded: samples are kept as measured, so the same verdicts follow.
 */

interface BucketArrays {
  unit: string;
  subBuckets: number;
  lo: number[];
  hi?: number[];
  count: number[];
}

type LegacyBaseline = { samples?: number[]; summary?: MetricReport['summary'] };

/** A metric as report.json may hold it: what kdelta writes now, and the older forms it still reads. */
export interface StoredMetric {
  name: string;
  unit?: string;
  better?: MetricReport['better'];
  samples: number[];
  summary?: MetricReport['summary'];
  histogram?: BucketArrays | Histogram | null;
  source?: string | null;
  baseline?: number[] | LegacyBaseline | null;
  gated?: boolean;
  tolerance?: number;
  verdict?: MetricReport['verdict'];
}

interface MetricDefaults {
  unit?: string;
  source?: string;
}

type StoredScenario<S = ScenarioReport> = S extends ScenarioReport
  ? Omit<S, 'metrics'> & { baselineSamples?: Record<string, number[]>; metricDefaults?: MetricDefaults; metrics: StoredMetric[] }
  : never;

export type StoredReport = Omit<Report, 'scenarios'> & { scenarios: StoredScenario[] };

/** Whether every bucket's upper bound is the one the log-linear scheme gives its lower bound. */
function standardBounds(h: Histogram): boolean {
  if (h.subBuckets !== 8) return false;
  return h.buckets.every((b) => Number.isInteger(b.lo) && b.lo >= 0 && bucketBounds(bucketKeyOf(b.lo)).lo === b.lo && bucketBounds(bucketKeyOf(b.lo)).hi === b.hi);
}

function foldHistogram(h: Histogram): BucketArrays {
  const lo = h.buckets.map((b) => b.lo);
  const count = h.buckets.map((b) => b.count);
  return standardBounds(h) ? { unit: h.unit, subBuckets: h.subBuckets, lo, count } : { unit: h.unit, subBuckets: h.subBuckets, lo, hi: h.buckets.map((b) => b.hi), count };
}

function unfoldHistogram(h: BucketArrays | Histogram): Histogram {
  if ('buckets' in h) return h;
  const hi = (lo: number, i: number): number => h.hi?.[i] ?? bucketBounds(bucketKeyOf(lo)).hi;
  return { unit: h.unit, subBuckets: h.subBuckets, buckets: h.lo.map((lo, i) => ({ lo, hi: hi(lo, i), count: h.count[i] ?? 0 })) };
}

function foldMetric(m: MetricReport, d: MetricDefaults): StoredMetric {
  // Key order as in memory, so a folded report still reads in the same order.
  return {
    name: m.name,
    ...(m.unit !== d.unit && { unit: m.unit }),
    ...(m.better !== 'lower' && { better: m.better }),
    samples: m.samples,
    ...(m.histogram && { histogram: foldHistogram(m.histogram) }),
    ...(m.source !== (d.source ?? null) && { source: m.source }),
    ...(m.baseline && { baseline: m.baseline.samples }),
    ...(m.gated && { gated: true }),
    ...(m.tolerance !== undefined && { tolerance: m.tolerance }),
    ...(m.verdict !== null && { verdict: m.verdict }),
  };
}

function baselineSamplesOf(m: StoredMetric, scenarioWide: Record<string, number[]> | undefined): number[] | null {
  const b = m.baseline;
  if (b === undefined || b === null) return null;
  if (Array.isArray(b)) return b;
  return b.samples ?? scenarioWide?.[m.name] ?? [];
}

function unfoldMetric(m: StoredMetric, scenarioWide: Record<string, number[]> | undefined, d: MetricDefaults): MetricReport {
  const base = baselineSamplesOf(m, scenarioWide);
  const legacySummary = m.baseline && !Array.isArray(m.baseline) ? m.baseline.summary : undefined;
  return {
    name: m.name,
    unit: m.unit ?? d.unit ?? '1',
    better: m.better ?? 'lower',
    samples: m.samples,
    summary: m.summary ?? summarize(m.samples),
    histogram: m.histogram ? unfoldHistogram(m.histogram) : null,
    source: m.source === undefined ? (d.source ?? null) : m.source,
    baseline: base && { samples: base, summary: legacySummary ?? summarize(base) },
    gated: m.gated ?? false,
    ...(m.tolerance !== undefined && { tolerance: m.tolerance }),
    verdict: m.verdict ?? null,
  };
}

/** The most common value of a field among the metrics, when it is worth naming once. */
function mostCommon(values: readonly (string | null)[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: [string, number] | undefined;
  for (const e of counts) if (!best || e[1] > best[1]) best = e;
  return best && best[1] > 1 ? best[0] : undefined;
}

function defaultsOf(metrics: readonly MetricReport[]): MetricDefaults {
  const unit = mostCommon(metrics.map((m) => m.unit));
  const source = mostCommon(metrics.map((m) => m.source));
  return { ...(unit !== undefined && { unit }), ...(source !== undefined && { source }) };
}

function foldScenario(s: ScenarioReport): StoredScenario {
  const d = defaultsOf(s.metrics);
  const named = d.unit !== undefined || d.source !== undefined;
  return { ...mapScenarioSeries(s, 'fold'), ...(named && { metricDefaults: d }), metrics: s.metrics.map((m) => foldMetric(m, d)) } as StoredScenario;
}

function unfoldScenario(s: StoredScenario): ScenarioReport {
  const { baselineSamples, metricDefaults, metrics, ...rest } = s;
  const d = metricDefaults ?? {};
  return { ...mapScenarioSeries(rest as ScenarioReport, 'unfold'), metrics: metrics.map((m) => unfoldMetric(m, baselineSamples, d)) } as ScenarioReport;
}

/** The report as report.json stores it. */
export function foldReport(report: Report): StoredReport {
  return { ...report, scenarios: report.scenarios.map(foldScenario) };
}

/** A validated report.json back as the in-memory Report, whichever form it was written in. */
export function unfoldReport(stored: StoredReport): Report {
  return { ...stored, scenarios: stored.scenarios.map(unfoldScenario) };
}
