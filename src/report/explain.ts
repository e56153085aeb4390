import type { Explanation, Related } from '../compare/explain.js';
import { formatValue } from './format.js';
import type { Report } from './types.js';

/** "+85%" below a doubling, "x2.1" from there, "from 0" when the base was zero. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'from 0';
  if (ratio >= 2) return `x${Number(ratio.toPrecision(2))}`;
  const pct = (ratio - 1) * 100;
  const digits = Math.abs(pct) >= 10 ? 0 : 1;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(digits)}%`;
}

function relatedText(r: Related): string {
  const sign = r.absolute > 0 ? '+' : '';
  return `${r.name} ${formatRatio(r.ratio)} (${sign}${formatValue(r.absolute, r.unit, 'message')} a repetition)`;
}

/**
 * One line per explained verdict: "workload.wall_time +12%: sched.ready_delay.total +85%
 * (+340ms a repetition), ...". Plain text: callers escape it for Markdown or XML.
 */
export function renderExplanation(e: Explanation, change: number): string {
  const what = `${e.metric} ${formatRatio(1 + change)}`;
  if (e.related.length === 0) return `${what}: no other metric of ${e.considered} moved beyond its noise`;
  return `${what}: ${e.related.map(relatedText).join(', ')}`;
}

/** Every explanation of the run as `scenario: text` lines (plain text), worst scenarios first as they come. */
export function explanationLines(report: Report): string[] {
  return report.scenarios.flatMap((s) => (s.explanations ?? []).map((e) => `${s.name}: ${e.text}`));
}

/** The explanation of one gated metric of one scenario, or null. */
export function explanationOf(report: Report, scenario: string, metric: string): string | null {
  return report.scenarios.find((s) => s.name === scenario)?.explanations?.find((e) => e.metric === metric)?.text ?? null;
}
