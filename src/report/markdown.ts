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
import { escapeMarkdown, plural, STATUS_LABEL } from './markdown-text.js';
import type { Report, ScenarioReport } from './types.js';

export { histogramChart, irqTableMarkdown } from './markdown-details.js';
export { escapeHtml, escapeMarkdown, escapeParagraph } from './markdown-text.js';

/*
 * summary.md (GitHub-flavoured Markdown). The headline and the table of gated checks are
 * never cut; per-scenario <details> blocks are added, worst scenarios first, while they fit
 * the variant's size limit, and the text says how many were left out.
 */

export type MarkdownVariant = 'summary' | 'comment';

/** GitHub rejects a step summary over 1 MiB; a little is kept for whatever else the job appends. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;
/** GitHub rejects a comment over 65,536 characters. */
export const COMMENT_LIMIT_CHARS = 65_000;

function sizeOf(text: string, variant: MarkdownVariant): number {
  return variant === 'summary' ? Buffer.byteLength(text, 'utf8') : text.length;
}

function limitOf(variant: MarkdownVariant): number {
  return variant === 'summary' ? SUMMARY_LIMIT_BYTES : COMMENT_LIMIT_CHARS;
}

function limitText(variant: MarkdownVariant): string {
  return variant === 'summary' ? 'this step summary under 1 MiB' : 'this comment under 65,000 characters';
}

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

interface Row {
  rank: number;
  order: number;
  cells: string[];
  pass: boolean;
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
    cells: [escapeMarkdown(item.scenario.name), name, escapeMarkdown(baseline), escapeMarkdown(current), toleranceCell(item), change, verdict],
    pass: itemStatus(item) === 'pass',
  };
}

function failureRow(s: ScenarioReport, order: number, sides: Sides): Row | null {
  const f = s.failure;
  const envError = environmentErrorOf(s);
  if (envError !== null) {
    return { rank: -1, order, cells: [escapeMarkdown(s.name), 'environment', '—', '—', '—', '—', `⚠️ ${escapeMarkdown(envError)}`], pass: false };
  }
  if (!f) return null;
  const how = failureHow(f);
  return {
    rank: -1,
    order,
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
 * under 65,000 characters (PR comment): details are dropped, worst scenarios kept longest,
 * before the headline table is touched. Only when the table alone is over the limit are its
 * passing rows, and then its last rows, left out, with a notice.
 */
export function renderMarkdown(report: Report, options: MarkdownOptions): string {
  const { variant } = options;
  const limit = limitOf(variant);
  const items = gatedItems(report);
  const head = headline(report, items);
  const env = environmentMarkdown(report);
  const allRows = headlineRows(report, items);
  const why = explanationLines(report);

  const notice = (text: string): string => `> [!NOTE]\n> ${text}\n`;
  const pictures = variant === 'summary' ? ['', 'Pictures: [report.html](report.html)'] : [];
  const assemble = (rows: readonly Row[], tableNotice: string | null, details: readonly string[], detailsNotice: string | null): string =>
    [
      ...head,
      ...pictures,
      '',
      ...(rows.length ? tableLines(rows, sidesOf(report)) : ['_No gated metrics or limits in this run._']),
      '',
      ...(why.length ? ["**What the kernel saw move with it** (never gating)", '', ...why.map((w) => `- ${escapeMarkdown(w)}`), ''] : []),
      ...(tableNotice ? [notice(tableNotice)] : []),
      ...(detailsNotice ? [notice(detailsNotice)] : []),
      env,
      ...details,
      ...(detailsNotice ? [notice(detailsNotice)] : []),
    ].join('\n');

  const scenarios = [...report.scenarios]
    .map((s, i) => ({ s, i }))
    .sort((a, b) => scenarioRank(a.s) - scenarioRank(b.s) || a.i - b.i)
    .map(({ s }) => s);
  const blocks = scenarios.map((s) => scenarioDetails(s, items, report.ab));

  const full = assemble(allRows, null, blocks, null);
  if (sizeOf(full, variant) <= limit) return full;

  const omittedNotice = (kept: number): string => {
    const cut = scenarios.slice(kept).map((s) => escapeMarkdown(s.name));
    const named = cut.length > 20 ? `${cut.slice(0, 20).join(', ')} and ${formatCount(cut.length - 20)} more` : cut.join(', ');
    return (
      `Details of ${formatCount(scenarios.length - kept)} of ${plural(scenarios.length, 'scenario')} are left out to keep ${limitText(variant)} ` +
      `(passing scenarios are left out first): ${named}. report.json has everything.`
    );
  };

  // Details are added worst scenario first while they fit (binary search on the count kept).
  const fits = (rows: readonly Row[], tableNotice: string | null, kept: number): boolean =>
    sizeOf(assemble(rows, tableNotice, blocks.slice(0, kept), omittedNotice(kept)), variant) <= limit;
  let rows: readonly Row[] = allRows;
  let tableNotice: string | null = null;
  if (!fits(rows, null, 0)) {
    const failing = allRows.filter((r) => !r.pass);
    tableNotice = `${plural(allRows.length - failing.length, 'passing check')} not listed to keep ${limitText(variant)}.`;
    rows = failing;
    // Still too long: cut rows from the end (the least severe) until the page fits.
    let lo = 0;
    let hi = failing.length;
    const cutNotice = (n: number): string =>
      `${plural(allRows.length - n, 'check')} (all passing ones and the least severe others) not listed to keep ${limitText(variant)}; report.json has them.`;
    if (!fits(failing, tableNotice, 0)) {
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(failing.slice(0, mid), cutNotice(mid), 0)) lo = mid;
        else hi = mid - 1;
      }
      rows = failing.slice(0, lo);
      tableNotice = cutNotice(lo);
    }
  }
  let lo = 0;
  let hi = blocks.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(rows, tableNotice, mid)) lo = mid;
    else hi = mid - 1;
  }
  return assemble(rows, tableNotice, blocks.slice(0, lo), omittedNotice(lo));
}

function scenarioRank(s: ScenarioReport): number {
  return s.status === 'error' ? 0 : s.status === 'regression' ? 1 : 2;
}
