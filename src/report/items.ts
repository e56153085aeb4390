import { metricUnit } from '../metrics/units.js';
import { formatChange, formatCi, formatFraction, formatP, formatValue } from './format.js';
import type { LimitReport, MetricReport, Report, ScenarioReport, Verdict, VerdictStatus } from './types.js';
import { sidesOf, type Sides } from './sides.js';

/**
 * One row of what gates a run: a gated metric or an absolute limit of one scenario. Every
 * format (table, JUnit testcase, annotation, console line) is built from these, so they
 * agree on what was checked.
 */
export type GatedItem =
  | { kind: 'metric'; scenario: ScenarioReport; name: string; metric: MetricReport; verdict: Verdict | null }
  | { kind: 'limit'; scenario: ScenarioReport; name: string; limit: LimitReport; metric: MetricReport | null; verdict: Verdict };

/** Gated metrics then limits, scenario by scenario, in report order. */
export function gatedItemsOf(scenario: ScenarioReport): GatedItem[] {
  const items: GatedItem[] = [];
  for (const metric of scenario.metrics) {
    if (metric.gated) items.push({ kind: 'metric', scenario, name: metric.name, metric, verdict: metric.verdict });
  }
  for (const limit of scenario.limits) {
    const metric = scenario.metrics.find((m) => m.name === limit.metric) ?? null;
    items.push({ kind: 'limit', scenario, name: limit.text, limit, metric, verdict: limit.verdict });
  }
  return items;
}

export function gatedItems(report: Report): GatedItem[] {
  return report.scenarios.flatMap(gatedItemsOf);
}

/** A gated metric without a verdict (its scenario failed before it could be compared) counts as `none`. */
export type ItemStatus = VerdictStatus | 'none';

export function itemStatus(item: GatedItem): ItemStatus {
  return item.verdict?.status ?? 'none';
}

export const ITEM_STATUSES: readonly ItemStatus[] = [
  'regression',
  'limit-exceeded',
  'inconclusive',
  'unavailable',
  'no-baseline',
  'none',
  'improvement',
  'pass',
];

/** Lower is worse: regressions and broken limits first, passes last. */
export function severityRank(status: ItemStatus): number {
  return ITEM_STATUSES.indexOf(status);
}

export function isFailure(item: GatedItem): boolean {
  const s = itemStatus(item);
  return s === 'regression' || s === 'limit-exceeded';
}

export function countByStatus(items: readonly GatedItem[]): Record<ItemStatus, number> {
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  for (const item of items) counts[itemStatus(item)]++;
  return counts;
}

/** How far a regression went in the bad direction (relative); broken limits rank above every regression. */
function badness(item: GatedItem): number {
  const v = item.verdict;
  if (v?.status === 'limit-exceeded') return Number.POSITIVE_INFINITY;
  if (v?.status !== 'regression' || !Number.isFinite(v.change)) return 0;
  return item.metric?.better === 'higher' ? -v.change : v.change;
}

/** Regressions and broken limits, worst first (broken limits, then the largest bad change). */
export function worstFailures(report: Report, max: number): GatedItem[] {
  return gatedItems(report)
    .filter(isFailure)
    .map((item, i) => ({ item, i, bad: badness(item) }))
    .sort((a, b) => (b.bad === a.bad ? a.i - b.i : b.bad > a.bad ? 1 : -1))
    .slice(0, max)
    .map((x) => x.item);
}

/**
 * One line for a failed check, in the form CI tools show next to a test name:
 * `sched.ready_delay.p99 +14.2% vs baseline, tolerance +10%, p=0.003`. Numbers only in the
 * message, never in test names.
 */
export function failureLine(item: GatedItem, sides: Sides = sidesOf({})): string {
  const v = item.verdict;
  if (v === null) return `${item.name}: no verdict`;
  switch (v.status) {
    case 'pass':
    case 'regression':
    case 'improvement':
    case 'inconclusive': {
      const parts = [`${item.name} ${formatChange(v.change)} ${sides.vs}`];
      const tol = item.kind === 'metric' ? item.metric.tolerance : undefined;
      if (tol !== undefined) parts.push(`tolerance ${item.metric?.better === 'higher' ? '-' : '+'}${formatFraction(tol)}`);
      parts.push(`p=${formatP(v.adjustedP)}`);
      return parts.join(', ');
    }
    case 'limit-exceeded':
      return `${v.limit} broken: ${formatValue(v.value, item.metric?.unit ?? '')}`;
    case 'no-baseline':
    case 'unavailable':
      return `${item.name}: ${v.message}`;
  }
}

/** The figures behind a verdict, one per line, for JUnit bodies and details. */
export function verdictDetailLines(item: GatedItem, report: Report): string[] {
  const lines: string[] = [];
  const sides = sidesOf(report);
  const m = item.metric;
  if (item.kind === 'limit') lines.push(`limit: ${item.limit.text}`);
  if (m) {
    lines.push(`metric: ${m.name} (${m.unit}, ${m.better} is better)`);
    if (m.baseline) lines.push(`${sides.base} median: ${formatValue(m.baseline.summary.median, m.unit)} (n=${m.baseline.samples.length})`);
    lines.push(`${sides.current} median: ${formatValue(m.summary.median, m.unit)} (n=${m.samples.length})`);
  }
  const v = item.verdict;
  if (v === null) return [...lines, 'verdict: none'];
  lines.push(`verdict: ${v.status}`);
  switch (v.status) {
    case 'pass':
    case 'regression':
    case 'improvement':
    case 'inconclusive':
      lines.push(`change: ${formatChange(v.change)} (${sides.interval} ${formatCi(v.ci)})`);
      if (m?.tolerance !== undefined) lines.push(`tolerance: ${formatFraction(m.tolerance)}`);
      lines.push(
        `p-value: ${formatP(v.pValue)} (adjusted ${formatP(v.adjustedP)}, ${report.family.correction} over ${report.family.size})`,
      );
      lines.push(`minimum detectable effect: ${formatChange(v.mde).replace(/^\+/, '')}`);
      if (v.status === 'inconclusive') lines.push(`${sides.neededLabel}: ${v.neededRepetitions}`);
      if ('warning' in v && v.warning) lines.push(`warning: ${v.warning}`);
      break;
    case 'limit-exceeded':
      lines.push(`value: ${formatValue(v.value, m?.unit ?? '')}`);
      break;
    case 'no-baseline':
    case 'unavailable':
      break;
  }
  if (v.message) lines.push(`message: ${v.message}`);
  return lines;
}

/** Sum of the scenario's measured workload wall time, in seconds (0 when it has none). */
export function wallTimeSeconds(scenario: ScenarioReport): number {
  const wall = scenario.metrics.find((m) => m.name === 'workload.wall_time');
  if (!wall) return 0;
  const unit = metricUnit(wall.unit);
  const factor = unit?.kind === 'time' ? unit.toBase / 1e9 : 0;
  return wall.samples.reduce((a, b) => a + b, 0) * factor;
}

/** How a failed workload ended, in a few words: `exit code 3`, `signal SIGKILL`, `timeout`. */
export function failureHow(f: NonNullable<ScenarioReport['failure']>): string {
  return f.exitCode !== null ? `exit code ${f.exitCode}` : f.signal !== null ? `signal ${f.signal}` : f.kind;
}

/**
 * Why a scenario whose status is `error` produced no workload failure: a collector it requires
 * could not run here (exit 3). Null for scenarios that did not error that way.
 */
export function environmentErrorOf(s: ScenarioReport): string | null {
  if (s.status !== 'error' || s.failure !== null) return null;
  const unavailable = s.collectors.flatMap((c) =>
    c.availability.state === 'unavailable'
      ? [`${c.name} unavailable: ${c.availability.reason}${c.availability.fix ? ` (fix: ${c.availability.fix})` : ''}`]
      : [],
  );
  return unavailable.length ? `the scenario could not run: ${unavailable.join('; ')}` : 'the scenario could not run here';
}
