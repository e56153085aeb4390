import { formatChange, formatCount, formatFraction, formatValue } from './format.js';
import { itemStatus, severityRank, type GatedItem, type ItemStatus } from './items.js';
import { escapeMarkdown, STATUS_LABEL } from './markdown-text.js';
import type { Sides } from './sides.js';
import type { MetricReport } from './types.js';

/*
 * For each gated metric that did not pass, its samples against the baseline's (the base
 * side's in an A/B run): a quantile row per side and a strip of the samples on one scale
 * shared by both sides, so a reader sees whether the sides overlap, not only their medians.
 */

const STRIP_WIDTH = 24;
/** One, two, three, four or more samples in a cell; an empty cell is a dot, never a space, so no renderer collapses it. */
const DENSITY = ['·', '▃', '▅', '▇', '█'] as const;
const EDGE = '┊';
/** A wider spread than this (max/min) is drawn on a log scale, or every sample but one would share a cell. */
const LOG_SPREAD = 20;

/** The statuses whose distributions are shown; a pass with a warning (another machine class) is shown as well. */
const SHOWN: ReadonlySet<ItemStatus> = new Set(['regression', 'limit-exceeded', 'inconclusive', 'improvement']);

/** One metric's section, with the words the cut-off note names it by. */
export interface DistributionBlock {
  label: string;
  text: string;
}

/** The q-quantile with linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** min, p25, median, p75, max of a sample. */
export function fiveNumbers(samples: readonly number[]): [number, number, number, number, number] {
  const s = [...samples].sort((a, b) => a - b);
  return [quantile(s, 0), quantile(s, 0.25), quantile(s, 0.5), quantile(s, 0.75), quantile(s, 1)];
}

interface Scale {
  lo: number;
  hi: number;
  log: boolean;
}

function scaleOf(values: readonly number[]): Scale {
  const finite = values.filter(Number.isFinite);
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  return { lo, hi, log: lo > 0 && hi / lo > LOG_SPREAD };
}

function cellOf(x: number, s: Scale): number {
  if (!(s.hi > s.lo)) return Math.floor(STRIP_WIDTH / 2);
  const t = s.log ? Math.log(x / s.lo) / Math.log(s.hi / s.lo) : (x - s.lo) / (s.hi - s.lo);
  return Math.min(STRIP_WIDTH - 1, Math.max(0, Math.floor(t * STRIP_WIDTH)));
}

/** The samples as a strip of STRIP_WIDTH cells; the tolerance edge drawn where no sample is. */
export function strip(samples: readonly number[], s: Scale, edge: number | null): string {
  const counts = new Array<number>(STRIP_WIDTH).fill(0);
  for (const x of samples) if (Number.isFinite(x)) counts[cellOf(x, s)]!++;
  const edgeCell = edge !== null && Number.isFinite(edge) ? cellOf(edge, s) : -1;
  return counts.map((c, i) => (c === 0 && i === edgeCell ? EDGE : DENSITY[Math.min(c, DENSITY.length - 1)]!)).join('');
}

/** Where the tolerance ends in the bad direction, from the baseline's median; null when the metric has no relative tolerance. */
function toleranceEdge(m: MetricReport): number | null {
  if (m.tolerance === undefined || !m.baseline) return null;
  const median = fiveNumbers(m.baseline.samples)[2];
  return m.better === 'lower' ? median * (1 + m.tolerance) : median * (1 - m.tolerance);
}

function verdictWords(item: GatedItem, sides: Sides): string {
  const v = item.verdict;
  const label = STATUS_LABEL[itemStatus(item)];
  if (!v) return label;
  switch (v.status) {
    case 'limit-exceeded':
      return `${label}: ${escapeMarkdown(v.limit)}, ${escapeMarkdown(formatValue(v.value, item.metric?.unit ?? ''))}`;
    case 'pass':
    case 'regression':
    case 'improvement':
    case 'inconclusive': {
      const tol = item.metric?.tolerance;
      const parts = [`${label} ${formatChange(v.change)} ${sides.vs}`];
      if (tol !== undefined) parts.push(`tolerance ${item.metric?.better === 'higher' ? '-' : '+'}${formatFraction(tol)}`);
      if (v.status === 'inconclusive') parts.push(`needs ${formatCount(v.neededRepetitions)} ${sides.neededShort}`);
      if ('warning' in v && v.warning) parts.push(`⚠️ ${escapeMarkdown(v.warning)}`);
      return parts.join(', ');
    }
    default:
      return label;
  }
}

function sideRow(name: string, samples: readonly number[], unit: string, s: Scale, edge: number | null): string {
  // No-break spaces, so `4.75 µs` keeps to one line in a PR-width table.
  const cells = samples.length ? fiveNumbers(samples).map((x) => escapeMarkdown(formatValue(x, unit)).replaceAll(' ', '\u00a0')) : ['—', '—', '—', '—', '—'];
  const drawn = samples.length ? `\`${strip(samples, s, edge)}\`` : '—';
  return `| ${name} | ${formatCount(samples.length)} | ${cells.join(' | ')} | ${drawn} |`;
}

/** The section of one metric: its verdicts on a line, then one row per side. */
function block(items: readonly GatedItem[], m: MetricReport, sides: Sides): DistributionBlock {
  const first = items[0]!;
  const base = m.baseline?.samples ?? [];
  const edge = toleranceEdge(m);
  const s = scaleOf([...base, ...m.samples, ...(edge !== null ? [edge] : [])]);
  const range = `${escapeMarkdown(formatValue(s.lo, m.unit))} … ${escapeMarkdown(formatValue(s.hi, m.unit))}${s.log ? ', log scale' : ''}`;
  const name = `${escapeMarkdown(first.scenario.name)} · ${escapeMarkdown(m.name)}`;
  const lines = [
    `**${name}** (${m.better} is better): ${items.map((i) => verdictWords(i, sides)).join('; ')}`,
    '',
    `| | n | min | p25 | median | p75 | max | samples (${range}) |`,
    '| :-- | --: | --: | --: | --: | --: | --: | :-- |',
    ...(m.baseline ? [sideRow(sides.base, base, m.unit, s, edge)] : []),
    sideRow(sides.current, m.samples, m.unit, s, edge),
    '',
  ];
  return { label: `${first.scenario.name} · ${m.name}`, text: lines.join('\n') };
}

function shown(item: GatedItem): boolean {
  const v = item.verdict;
  if (!item.metric || item.metric.samples.length === 0) return false;
  return SHOWN.has(itemStatus(item)) || (v !== null && 'warning' in v && v.warning !== undefined);
}

/** One block per metric (a metric both regressed and over a limit has one), worst first, report order within. */
export function distributionBlocks(items: readonly GatedItem[], sides: Sides): DistributionBlock[] {
  const byMetric = new Map<MetricReport, GatedItem[]>();
  const ranked = items
    .map((item, i) => ({ item, i }))
    .filter(({ item }) => shown(item))
    .sort((a, b) => severityRank(itemStatus(a.item)) - severityRank(itemStatus(b.item)) || a.i - b.i);
  for (const { item } of ranked) {
    const m = item.metric!;
    byMetric.set(m, [...(byMetric.get(m) ?? []), item]);
  }
  return [...byMetric.entries()].map(([m, its]) => block(its, m, sides));
}

/** The heading and legend above the blocks. */
export function distributionIntro(sides: Sides): string[] {
  return [
    '### Samples of the checks that did not pass',
    '',
    `Quantiles of each side, and every sample on one scale shared by ${sides.base} and ${sides.current}: ` +
      `\`${DENSITY[0]}\` none, \`${DENSITY.slice(1).join(' ')}\` one, two, three, four or more samples, \`${EDGE}\` where the tolerance ends.`,
    '',
  ];
}
