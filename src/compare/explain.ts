import { adjustPValues } from './stats/adjust.js';
import { median } from './stats/effect.js';
import { mannWhitneyU } from './stats/mann-whitney.js';
import { signedRankTest } from './stats/signed-rank.js';

/** A metric of one scenario on both sides: paired by index when `paired`, else two samples. */
export interface ExplainMetric {
  name: string;
  unit: string;
  base: readonly number[];
  head: readonly number[];
}

/** A metric that moved with a verdict, beyond its own noise. */
export interface Related {
  name: string;
  unit: string;
  /** median(head) / median(base); Infinity from a zero base. */
  ratio: number;
  /** Change per repetition in the metric's unit: the median per-round difference when paired. */
  absolute: number;
  pValue: number;
  /** Benjamini-Hochberg over every metric that was looked at. */
  adjustedP: number;
}

export interface Explanation {
  metric: string;
  status: 'regression' | 'improvement';
  related: Related[];
  /** How many metrics were looked at (the BH family). */
  considered: number;
}

export interface ExplainOptions {
  paired: boolean;
  /** False-discovery rate for "moved" (default 0.05). */
  fdr?: number;
  /** How many to keep per verdict (default 3). */
  top?: number;
}

/**
 * Cross-checks of one figure by a second source: shown only when the main figure is absent,
 * as a second copy of the same lead would push a different one off the list.
 */
const CROSS_CHECKS: Record<string, string> = { 'sched.run_delay.total': 'sched.ready_delay.total' };

function pOf(m: ExplainMetric, paired: boolean): number {
  if (!paired) return mannWhitneyU([...m.head], [...m.base]).pValue;
  const n = Math.min(m.base.length, m.head.length);
  return signedRankTest(Array.from({ length: n }, (_, i) => m.head[i]! - m.base[i]!)).pValue;
}

function absoluteOf(m: ExplainMetric, paired: boolean): number {
  if (!paired) return median(m.head) - median(m.base);
  const n = Math.min(m.base.length, m.head.length);
  return median(Array.from({ length: n }, (_, i) => m.head[i]! - m.base[i]!));
}

function ratioOf(m: ExplainMetric): number {
  const b = median(m.base);
  const h = median(m.head);
  if (b === 0) return h === 0 ? 1 : h > 0 ? Infinity : -Infinity;
  return h / b;
}

/** |log ratio|, for ranking: how far a metric moved, in either direction. */
function distance(ratio: number): number {
  if (!Number.isFinite(ratio)) return Infinity;
  return ratio > 0 ? Math.abs(Math.log(ratio)) : Infinity;
}

/**
 * The kernel's explanation of each regression or improvement: the other metrics of the
 * scenario that changed beyond their own noise (signed-rank on the per-round differences
 * when paired, Mann-Whitney otherwise; Benjamini-Hochberg over every metric looked at, as
 * this is a search for leads, not a gate), ranked by adjusted p and then by how far they
 * moved. Each verdict's own metric is left out of its list. Never gates.
 */
export function explainVerdicts(
  verdicts: ReadonlyArray<{ metric: string; status: string }>,
  metrics: readonly ExplainMetric[],
  options: ExplainOptions,
): Explanation[] {
  const moved = verdicts.filter((v): v is { metric: string; status: 'regression' | 'improvement' } => v.status === 'regression' || v.status === 'improvement');
  if (moved.length === 0) return [];
  const present = new Set(metrics.map((m) => m.name));
  const usable = metrics.filter((m) => m.base.length > 0 && m.head.length > 0 && !present.has(CROSS_CHECKS[m.name] ?? '\u0000'));
  const pValues = usable.map((m) => pOf(m, options.paired));
  const adjusted = adjustPValues(pValues, 'bh');
  const fdr = options.fdr ?? 0.05;
  const candidates: Related[] = usable
    .map((m, i) => ({ name: m.name, unit: m.unit, ratio: ratioOf(m), absolute: absoluteOf(m, options.paired), pValue: pValues[i]!, adjustedP: adjusted[i]! }))
    .filter((r) => r.adjustedP < fdr && r.ratio !== 1)
    .sort((a, b) => a.adjustedP - b.adjustedP || distance(b.ratio) - distance(a.ratio) || a.name.localeCompare(b.name));
  return moved.map((v) => ({
    metric: v.metric,
    status: v.status,
    related: candidates.filter((r) => r.name !== v.metric).slice(0, options.top ?? 3),
    considered: usable.length,
  }));
}
