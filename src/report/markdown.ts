import { explanationLines } from './explain.js';
import { sidesOf, type Sides } from './sides.js';
import { formatChange, formatCount, formatValue } from './format.js';
import {
  countByStatus,
  environmentErrorOf,
  failureHow,
  gatedItems,
  isFailure,
  itemStatus,
  severityRank,
  type GatedItem,
  type ItemStatus,
} from './items.js';
import { environmentMarkdown, scenarioDetails } from './markdown-details.js';
import { collectorsMarkdown } from './markdown-collectors.js';
import { distributionBlocks, distributionIntro } from './markdown-distribution.js';
import { fitPage, type MarkdownVariant, type Row } from './markdown-fit.js';
import { escapeMarkdown, plural, STATUS_LABEL } from './markdown-text.js';
import type { Report, ScenarioReport } from './types.js';

export { histogramChart, irqTableMarkdown } from './markdown-details.js';
export { escapeHtml, escapeMarkdown, escapeParagraph } from './markdown-text.js';
export { COMMENT_LIMIT_CHARS, SUMMARY_LIMIT_BYTES, type MarkdownVariant } from './markdown-fit.js';

/*
 * summary.md and comment.md (GitHub-flavoured Markdown): the headline, the table of gated
 * checks, the samples of the checks that did not pass against the baseline's, then the
 * environment, the collectors (once) and per-scenario <details> blocks, worst scenario first.
 */

/** An A/B run says what it compared, and that no stored baseline was used. */
function abLine(ab: NonNullable<Report['ab']>): string {
  const rounds = ab.scenarios.filter((s) => s.state === 'paired').map((s) => s.rounds);
  const measured = rounds.length ? `${Math.min(...rounds)}${Math.max(...rounds) > Math.min(...rounds) ? `-${Math.max(...rounds)}` : ''}` : '0';
  return `A/B on this machine: head ${escapeMarkdown(ab.sides.head.dir)} vs base ${escapeMarkdown(ab.sides.base.dir)}, interleaved, ${measured} rounds (sequential design ${ab.rounds.min}-${ab.rounds.max}), paired ${ab.test}, seed ${ab.seed}; no stored baseline`;
}

function headline(report: Report, items: readonly GatedItem[]): string[] {
  const failures = items.filter(isFailure).length;
  const failed = report.scenarios.filter((s) => s.failure !== null).length;
  const errored = report.scenarios.filter((s) => s.status === 'error').length;
  let title: string;
  if (report.status === 'error') {
    const parts = [failed > 0 ? `${plural(failed, 'workload')} failed` : `${plural(errored, 'scenario')} could not run`];
    if (failures > 0) parts.push(plural(failures, 'regression'));
    title = `⚠️ kdelta: ${parts.join(', ')}`;
  } else if (report.status === 'regression') {
    title = `❌ kdelta: ${plural(failures, 'regression')}`;
  } else {
    title = '✅ kdelta: pass';
  }
  const byScenario = (['regression', 'error', 'pass'] as const)
    .map((st) => [st, report.scenarios.filter((s) => s.status === st).length] as const)
    .filter(([, n]) => n > 0)
    .map(([st, n]) => `${formatCount(n)} ${st}`);
  const counts = countByStatus(items);
  const byVerdict = (Object.keys(counts) as ItemStatus[])
    .filter((s) => counts[s] > 0)
    .sort((a, b) => severityRank(a) - severityRank(b))
    .map((s) => `${formatCount(counts[s])} ${STATUS_LABEL[s].replace(/^\S+ /, '')}`);
  const lines = [
    `## ${title}`,
    '',
    `${plural(report.scenarios.length, 'scenario')} (${byScenario.join(', ') || 'none'}) · ` +
      `${plural(items.length, 'gated check')}${byVerdict.length ? `: ${byVerdict.join(', ')}` : ''} · ` +
      `p-values adjusted (${report.family.correction}) over ${plural(report.family.size, 'metric')}`,
    ...(report.ab ? ['', abLine(report.ab)] : []),
    '',
    `Run ${escapeMarkdown(report.runId)} · kdelta ${escapeMarkdown(report.kdeltaVersion)} · ` +
      `measured ${escapeMarkdown(report.startedAt)} → ${escapeMarkdown(report.endedAt)}`,
  ];
  const mismatch = mismatchLine(report);
  if (mismatch !== null) lines.push('', mismatch);
  return lines;
}

/** The headline warning when baselines come from another machine class: their regressions are only warnings. */
function mismatchLine(report: Report): string | null {
  const withBaseline = report.scenarios.filter((s) => s.baseline !== null);
  const other = withBaseline.filter((s) => (s.baseline?.mismatch.length ?? 0) > 0);
  if (other.length === 0) return null;
  const differences = [...new Set(other.flatMap((s) => s.baseline?.mismatch ?? []))];
  return (
    `> [!WARNING]\n> ${formatCount(other.length)} of ${formatCount(withBaseline.length)} ${withBaseline.length === 1 ? 'baseline comes' : 'baselines come'} from another machine class: ` +
    `${escapeMarkdown(differences.join(', '))}. Their regressions are reported as warnings; record baselines on this machine class.`
  );
}

/** A tolerance in the bad direction: `+10%` where lower is better, `-10%` where higher is. */
function toleranceCell(item: GatedItem): string {
  const m = item.metric;
  if (item.kind !== 'metric' || m?.tolerance === undefined) return '—';
  const pct = `${Number((m.tolerance * 100).toFixed(2))}%`;
  return m.better === 'lower' ? `+${pct}` : `-${pct}`;
}

/** `+9.1% [+2.0, +16.3]`, joined by no-break spaces so a PR-width table does not wrap it. */
function changeCell(change: number, ci: readonly [number, number]): string {
  const bound = (x: number): string => formatChange(x).replace(/%$/, '');
  return `${formatChange(change)} [${bound(ci[0])}, ${bound(ci[1])}]`.replaceAll(' ', '\u00a0');
}

function itemRow(item: GatedItem, order: number, sides: Sides): Row {
  const v = item.verdict;
  const m = item.metric;
  const unit = m?.unit ?? '';
  const baseline = item.kind === 'metric' && m?.baseline ? formatValue(m.baseline.summary.median, unit) : '—';
  const current =
    v?.status === 'limit-exceeded' ? formatValue(v.value, unit) : m ? formatValue(m.summary.median, unit) : '—';
  let change = '—';
  let verdict = STATUS_LABEL[itemStatus(item)];
  if (v && item.kind === 'metric' && (v.status === 'pass' || v.status === 'regression' || v.status === 'improvement' || v.status === 'inconclusive')) {
    change = changeCell(v.change, v.ci);
    if (v.status === 'inconclusive') verdict += ` (needs ${formatCount(v.neededRepetitions)} ${sides.neededShort})`;
    if ('warning' in v && v.warning) verdict += ` ⚠️ ${escapeMarkdown(v.warning)}`;
  }
  const name = item.kind === 'limit' ? `limit: ${escapeMarkdown(item.name)}` : escapeMarkdown(item.name);
  return {
    rank: severityRank(itemStatus(item)),
    order,
    scenario: item.scenario.name,
    cells: [escapeMarkdown(item.scenario.name), name, escapeMarkdown(baseline), escapeMarkdown(current), toleranceCell(item), change, verdict],
    pass: itemStatus(item) === 'pass',
  };
}

function failureRow(s: ScenarioReport, order: number, sides: Sides): Row | null {
  const f = s.failure;
  const envError = environmentErrorOf(s);
  if (envError !== null) {
    return { rank: -1, order, scenario: s.name, cells: [escapeMarkdown(s.name), 'environment', '—', '—', '—', '—', `⚠️ ${escapeMarkdown(envError)}`], pass: false };
  }
  if (!f) return null;
  const how = failureHow(f);
  return {
    rank: -1,
    order,
    scenario: s.name,
    cells: [escapeMarkdown(s.name), 'workload', '—', '—', '—', '—', `⚠️ failed (${escapeMarkdown(how)}, ${sides.repetition} ${f.repetition})`],
    pass: false,
  };
}

function tableLines(rows: readonly Row[], sides: Sides): string[] {
  return [
    `| Scenario | Metric | ${sides.baseColumn} | ${sides.currentColumn} | Tolerance | ${sides.changeColumn} | Verdict |`,
    '| :-- | :-- | --: | --: | --: | --: | :-- |',
    ...rows.map((r) => `| ${r.cells.join(' | ')} |`),
  ];
}

/** Worst first (failed workloads, regressions, broken limits ... passes), report order within. */
function headlineRows(report: Report, items: readonly GatedItem[]): Row[] {
  const rows: Row[] = [];
  const sides = sidesOf(report);
  report.scenarios.forEach((s, i) => {
    const r = failureRow(s, i, sides);
    if (r) rows.push(r);
  });
  items.forEach((item, i) => rows.push(itemRow(item, report.scenarios.length + i, sides)));
  return rows.sort((a, b) => a.rank - b.rank || a.order - b.order);
}

// ---------------------------------------------------------------------------------------

export interface MarkdownOptions {
  variant: MarkdownVariant;
}

/**
 * The run as GitHub-flavoured Markdown. `summary` stays under 1 MiB (step summary), `comment`
 * under 65,000 characters (PR comment); markdown-fit.ts decides what is cut when the whole
 * page does not fit, and the page says what it cut.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions): string {
  const { variant } = options;
  const items = gatedItems(report);
  const sides = sidesOf(report);
  const why = explanationLines(report);
  const scenarios = [...report.scenarios]
    .map((s, i) => ({ s, i }))
    .sort((a, b) => scenarioRank(a.s) - scenarioRank(b.s) || a.i - b.i)
    .map(({ s }) => s);
  return fitPage(
    {
      head: [...headline(report, items), ...(variant === 'summary' ? ['', 'Pictures: [report.html](report.html)'] : [])],
      rows: headlineRows(report, items),
      table: (rows) => tableLines(rows, sides),
      why: why.length ? ['**What the kernel saw move with it** (never gating)', '', ...why.map((w) => `- ${escapeMarkdown(w)}`), ''] : [],
      distributionIntro: distributionIntro(sides),
      distributions: distributionBlocks(items, sides),
      environment: environmentMarkdown(report),
      collectors: collectorsMarkdown(report.scenarios),
      details: scenarios.map((s) => ({ name: s.name, text: scenarioDetails(s, items, report.ab) })),
    },
    variant,
  );
}

function scenarioRank(s: ScenarioReport): number {
  return s.status === 'error' ? 0 : s.status === 'regression' ? 1 : 2;
}
