import { summarize } from '../metrics/summary.js';
import type { Histogram } from '../metrics/types.js';
import type { MetricReport, Report, ScenarioReport } from './types.js';

/*
 * report.json as written: the in-memory Report with its two bulkiest repetitions folded.
 * Histogram buckets become three parallel arrays (lo, hi, count) instead of one object per
 * bucket, and the baseline's samples are stored once per scenario (`baselineSamples`) instead
 * of once per metric report; summaries, which the samples determine, are recomputed on
 * reading rather than stored. Reading unfolds all three; a report written before this form (bucket
 * objects, samples per metric) reads unchanged, so old reports and history imports still work.
 */

interface BucketArrays {
  unit: string;
  subBuckets: number;
  lo: number[];
  hi: number[];
  count: number[];
}

type StoredMetric = Omit<MetricReport, 'histogram' | 'baseline' | 'summary'> & {
  summary?: MetricReport['summary'];
  histogram: BucketArrays | Histogram | null;
  baseline: { samples?: number[]; summary?: MetricReport['summary'] } | null;
};

type StoredScenario<S = ScenarioReport> = S extends ScenarioReport
  ? Omit<S, 'metrics'> & { baselineSamples?: Record<string, number[]>; metrics: StoredMetric[] }
  : never;

export type StoredReport = Omit<Report, 'scenarios'> & { scenarios: StoredScenario[] };

function foldHistogram(h: Histogram): BucketArrays {
  return { unit: h.unit, subBuckets: h.subBuckets, lo: h.buckets.map((b) => b.lo), hi: h.buckets.map((b) => b.hi), count: h.buckets.map((b) => b.count) };
}

function unfoldHistogram(h: BucketArrays | Histogram): Histogram {
  if ('buckets' in h) return h;
  return { unit: h.unit, subBuckets: h.subBuckets, buckets: h.lo.map((lo, i) => ({ lo, hi: h.hi[i] ?? lo, count: h.count[i] ?? 0 })) };
}

function foldScenario(s: ScenarioReport): StoredScenario {
  const baselineSamples: Record<string, number[]> = {};
  const metrics = s.metrics.map((m): StoredMetric => {
    if (m.baseline) baselineSamples[m.name] = m.baseline.samples;
    const { summary: _s, ...rest } = m;
    void _s;
    return { ...rest, histogram: m.histogram && foldHistogram(m.histogram), baseline: m.baseline && {} };
  });
  // Key order as before, with baselineSamples just ahead of the metrics that refer to it.
  const { metrics: _m, limits, irqTable, cpuSeries, timeline, syscallEvents, ...head } = s;
  void _m;
  return { ...head, baselineSamples, metrics, limits, irqTable, ...(cpuSeries && { cpuSeries }), ...(timeline && { timeline }), ...(syscallEvents && { syscallEvents }) } as StoredScenario;
}

function unfoldScenario(s: StoredScenario): ScenarioReport {
  const { baselineSamples, metrics, ...rest } = s;
  const unfolded = metrics.map((m): MetricReport => {
    const base = m.baseline && (m.baseline.samples ?? baselineSamples?.[m.name] ?? []);
    return {
      ...m,
      summary: m.summary ?? summarize(m.samples),
      histogram: m.histogram && unfoldHistogram(m.histogram),
      baseline: m.baseline && base && { samples: base, summary: m.baseline.summary ?? summarize(base) },
    };
  });
  return { ...rest, metrics: unfolded } as ScenarioReport;
}

/** The report as report.json stores it. */
export function foldReport(report: Report): StoredReport {
  return { ...report, scenarios: report.scenarios.map(foldScenario) };
}

/** A validated report.json back as the in-memory Report, whichever form it was written in. */
export function unfoldReport(stored: StoredReport): Report {
  return { ...stored, scenarios: stored.scenarios.map(unfoldScenario) };
}
