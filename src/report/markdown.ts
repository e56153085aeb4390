import { explanationLines } from './explain.js';
import type { Histogram } from '../metrics/types.js';
import { formatChange, formatCi, formatCount, formatFraction, formatValue } from './format.js';
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
import type { IrqTable } from '../collect/proc/irq-table.js';
import type { Report, ScenarioReport } from './types.js';

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

/**
 * Text from names, messages and files, made inert for Markdown and safe in a table cell:
 * entities for the HTML characters, a backslash before Markdown punctuation (a `|` would
 * otherwise end the cell, `$` would start GitHub math), line breaks as spaces.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$]/g, '\\$&');
}

/** Like escapeMarkdown, for text that starts a paragraph, where `#`, `-`, `1.` or `=` would start a heading or list. */
export function escapeParagraph(text: string): string {
  return escapeMarkdown(text.trimStart())
    .replace(/^([#+\-=])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** Text inside raw HTML (the <summary> line), where Markdown is not parsed. */
export function escapeHtml(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A fenced code block whose fence is longer than any backtick run in the text, so the text cannot close it. */
function codeBlock(text: string, info = 'text'): string {
  // Control characters other than tab and newline are dropped: they mean nothing on a page.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '').replace(/\n+$/, '');
  const longest = Math.max(0, ...Array.from(clean.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}

const STATUS_LABEL: Record<ItemStatus, string> = {
  pass: '✅ pass',
  regression: '❌ regression',
  improvement: '🟢 improvement',
  inconclusive: '❔ inconclusive',
  'no-baseline': '➖ no baseline',
  unavailable: '🚫 unavailable',
  'limit-exceeded': '❌ limit exceeded',
  none: '⚠️ no verdict',
};

const SCENARIO_ICON: Record<ScenarioReport['status'], string> = { pass: '✅', regression: '❌', error: '⚠️' };

function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
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
    '',
    `Run ${escapeMarkdown(report.runId)} · kdelta ${escapeMarkdown(report.kdeltaVersion)} · ` +
      `${escapeMarkdown(report.startedAt)} → ${escapeMarkdown(report.endedAt)}`,
  ];
  return lines;
}

interface Row {
  rank: number;
  order: number;
  cells: string[];
  pass: boolean;
}

function itemRow(item: GatedItem, order: number): Row {
  const v = item.verdict;
  const m = item.metric;
  const unit = m?.unit ?? '';
  const baseline = item.kind === 'metric' && m?.baseline ? formatValue(m.baseline.summary.median, unit) : '—';
  const current =
    v?.status === 'limit-exceeded' ? formatValue(v.value, unit) : m ? formatValue(m.summary.median, unit) : '—';
  let change = '—';
  let verdict = STATUS_LABEL[itemStatus(item)];
  if (v && (v.status === 'pass' || v.status === 'regression' || v.status === 'improvement' || v.status === 'inconclusive')) {
    change = `${formatChange(v.change)} (${formatCi(v.ci)})`;
    if (v.status === 'inconclusive') verdict += ` (needs ${formatCount(v.neededRepetitions)} reps)`;
    if ('warning' in v && v.warning) verdict += ` ⚠️ ${escapeMarkdown(v.warning)}`;
  }
  const name = item.kind === 'limit' ? `limit: ${escapeMarkdown(item.name)}` : escapeMarkdown(item.name);
  return {
    rank: severityRank(itemStatus(item)),
    order,
    cells: [escapeMarkdown(item.scenario.name), name, baseline, current, change, verdict],
    pass: itemStatus(item) === 'pass',
  };
}

function failureRow(s: ScenarioReport, order: number): Row | null {
  const f = s.failure;
  const envError = environmentErrorOf(s);
  if (envError !== null) {
    return { rank: -1, order, cells: [escapeMarkdown(s.name), 'environment', '—', '—', '—', `⚠️ ${escapeMarkdown(envError)}`], pass: false };
  }
  if (!f) return null;
  const how = failureHow(f);
  return {
    rank: -1,
    order,
    cells: [escapeMarkdown(s.name), 'workload', '—', '—', '—', `⚠️ failed (${escapeMarkdown(how)}, repetition ${f.repetition})`],
    pass: false,
  };
}

function tableLines(rows: readonly Row[]): string[] {
  return [
    '| Scenario | Metric | Baseline (median) | Current (median) | Change (95% CI) | Verdict |',
    '| :-- | :-- | --: | --: | --: | :-- |',
    ...rows.map((r) => `| ${r.cells.join(' | ')} |`),
  ];
}

/** Worst first (failed workloads, regressions, broken limits ... passes), report order within. */
function headlineRows(report: Report, items: readonly GatedItem[]): Row[] {
  const rows: Row[] = [];
  report.scenarios.forEach((s, i) => {
    const r = failureRow(s, i);
    if (r) rows.push(r);
  });
  items.forEach((item, i) => rows.push(itemRow(item, report.scenarios.length + i)));
  return rows.sort((a, b) => a.rank - b.rank || a.order - b.order);
}

// ---------------------------------------------------------------------------------------
// Per-scenario details

const BAR_WIDTH = 32;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
/** More buckets than this are merged per power of two, as bpftrace prints them. */
const MAX_HISTOGRAM_LINES = 24;
const MAX_HISTOGRAMS = 12;
const MAX_IRQ_ROWS = 15;
const MAX_LOST_LINES = 20;

function bar(count: number, max: number): string {
  const eighths = max > 0 ? Math.round((count / max) * BAR_WIDTH * 8) : 0;
  const text = '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
  return text + ' '.repeat(BAR_WIDTH - Array.from(text).length);
}

function displayBuckets(h: Histogram): Histogram['buckets'] {
  if (h.buckets.length <= MAX_HISTOGRAM_LINES) return h.buckets;
  const merged = new Map<number, { lo: number; hi: number; count: number }>();
  for (const b of h.buckets) {
    const key = b.lo <= 0 ? -Infinity : Math.floor(Math.log2(b.lo));
    const m = merged.get(key);
    if (m) {
      m.hi = Math.max(m.hi, b.hi);
      m.count += b.count;
    } else merged.set(key, { ...b });
  }
  return [...merged.values()].sort((a, b) => a.lo - b.lo);
}

/** A Unicode bar chart of a histogram, one line per bucket: `[1.02 µs, 1.15 µs) │████▌ │ 1,234 (4.1%)`. */
export function histogramChart(h: Histogram): string {
  const buckets = displayBuckets(h);
  const total = buckets.reduce((a, b) => a + b.count, 0);
  const max = Math.max(0, ...buckets.map((b) => b.count));
  const labels = buckets.map((b) => `[${formatValue(b.lo, h.unit)}, ${formatValue(b.hi, h.unit)})`);
  const counts = buckets.map((b) => formatCount(b.count));
  const lw = Math.max(0, ...labels.map((l) => l.length));
  const cw = Math.max(0, ...counts.map((c) => c.length));
  return buckets
    .map((b, i) => {
      const share = total > 0 ? ` (${((b.count / total) * 100).toFixed(1)}%)` : '';
      return `${labels[i]!.padStart(lw)} │${bar(b.count, max)}│ ${counts[i]!.padStart(cw)}${share}`;
    })
    .join('\n');
}

function familyOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(0, dot) : name;
}

function histogramTitle(family: string): string {
  if (family === 'sched.ready_delay') return 'Ready delay (run-queue wait)';
  const thread = /^sched\.ready_delay\.thread\.(.+)$/.exec(family);
  if (thread) return `Ready delay of thread group ${escapeMarkdown(thread[1]!)}`;
  const sc = /^syscall\.(.+)$/.exec(family);
  if (sc) return `Syscall latency: ${escapeMarkdown(sc[1]!)}`;
  return escapeMarkdown(family);
}

function histogramSections(s: ScenarioReport): string[] {
  const families = new Map<string, Histogram>();
  for (const m of s.metrics) if (m.histogram && !families.has(familyOf(m.name))) families.set(familyOf(m.name), m.histogram);
  const total = (h: Histogram): number => h.buckets.reduce((a, b) => a + b.count, 0);
  const order = (f: string): number => (f === 'sched.ready_delay' ? 0 : f.startsWith('sched.ready_delay.') ? 1 : f.startsWith('syscall.') ? 2 : 3);
  const sorted = [...families.entries()].sort(
    ([fa, ha], [fb, hb]) => order(fa) - order(fb) || total(hb) - total(ha) || fa.localeCompare(fb),
  );
  const out: string[] = [];
  for (const [family, h] of sorted.slice(0, MAX_HISTOGRAMS)) {
    out.push(`**${histogramTitle(family)}** (${formatCount(total(h))} events)`, '', codeBlock(histogramChart(h)), '');
  }
  if (sorted.length > MAX_HISTOGRAMS) {
    out.push(`${plural(sorted.length - MAX_HISTOGRAMS, 'more distribution')} in report.json (fewest events).`, '');
  }
  return out;
}

/** irqstat's view: the busiest IRQs with their count per NUMA node, then the count per CPU. */
export function irqTableMarkdown(t: IrqTable): string[] {
  const rows = [...t.rows].sort((a, b) => b.total - a.total);
  const shown = rows.slice(0, MAX_IRQ_ROWS);
  const out = [
    `| IRQ | Handler | Total | ${t.nodes.map((n) => `node${n}`).join(' | ')} |`,
    `| :-- | :-- | --: | ${t.nodes.map(() => '--:').join(' | ')} |`,
    ...shown.map(
      (r) =>
        `| ${escapeMarkdown(r.irq)} | ${escapeMarkdown(r.name)} | ${formatCount(r.total)} | ${t.nodes
          .map((_, i) => formatCount(r.perNode[i] ?? 0))
          .join(' | ')} |`,
    ),
    '',
  ];
  if (rows.length > shown.length) out.push(`${plural(rows.length - shown.length, 'quieter IRQ')} in report.json.`, '');
  if (t.perCpu.length > 0) {
    const all = t.perCpu.reduce((a, c) => a + c.total, 0);
    out.push(
      '| CPU | Node | Interrupts | Share |',
      '| --: | --: | --: | --: |',
      ...t.perCpu.map(
        (c) => `| ${c.cpu} | ${c.node} | ${formatCount(c.total)} | ${all > 0 ? formatFraction(c.total / all) : 'n/a'} |`,
      ),
      '',
    );
  }
  return out;
}

function collectorsMarkdown(s: ScenarioReport): string[] {
  if (s.collectors.length === 0) return [];
  const out = [
    '**Collectors**',
    '',
    '| Collector | Enabled | Availability | Fix | Disables |',
    '| :-- | :-- | :-- | :-- | :-- |',
  ];
  for (const c of s.collectors) {
    const a = c.availability;
    const state = a.state === 'ready' ? `ready${a.detail ? `: ${escapeMarkdown(a.detail)}` : ''}` : `🚫 unavailable: ${escapeMarkdown(a.reason)}`;
    const fix = a.state === 'unavailable' && a.fix ? escapeMarkdown(a.fix) : '';
    const disables = a.state === 'unavailable' ? a.disables.map(escapeMarkdown).join(', ') : '';
    out.push(`| ${c.name} | ${c.enabled ? 'yes' : 'no'} | ${state} | ${fix} | ${disables} |`);
  }
  out.push('');
  const notes = s.collectors.flatMap((c) => c.notes.map((n) => `- ${c.name}: ${escapeMarkdown(n)}`));
  if (notes.length) out.push(...notes, '');
  return out;
}

function lostMarkdown(s: ScenarioReport): string[] {
  if (s.lost.length === 0) return [];
  const out = ['**Lost or doubtful data** (these repetitions are marked, not silently averaged in)', ''];
  for (const l of s.lost.slice(0, MAX_LOST_LINES)) out.push(`- repetition ${l.repetition} (${l.collector}): ${escapeMarkdown(l.what)}`);
  if (s.lost.length > MAX_LOST_LINES) out.push(`- … and ${formatCount(s.lost.length - MAX_LOST_LINES)} more in report.json`);
  out.push('');
  return out;
}

function failureMarkdown(s: ScenarioReport): string[] {
  const f = s.failure;
  const envError = environmentErrorOf(s);
  if (envError !== null) return [`**Could not run**: ${escapeMarkdown(envError)}`, ''];
  if (!f) return [];
  const how = [
    `kind ${escapeMarkdown(f.kind)}`,
    f.exitCode !== null ? `exit code ${f.exitCode}` : null,
    f.signal !== null ? `signal ${escapeMarkdown(f.signal)}` : null,
  ].filter((x) => x !== null);
  return [
    `**Workload failed** in repetition ${f.repetition} (${how.join(', ')}): ${escapeMarkdown(f.message)}`,
    '',
    f.stderrTail ? codeBlock(f.stderrTail) : '_No stderr._',
    '',
  ];
}

function scenarioFacts(s: ScenarioReport): string[] {
  const iso =
    s.isolation.kind === 'cgroup'
      ? `cgroup ${escapeMarkdown(s.isolation.path)}`
      : `${s.isolation.kind} (${escapeMarkdown(s.isolation.reason)})`;
  const out = [
    escapeParagraph(s.description),
    '',
    `- file: ${escapeMarkdown(s.file)}`,
    `- ${plural(s.repetitions, 'repetition')} after ${formatCount(s.warmup)} warm-up · isolation: ${iso}`,
  ];
  const b = s.baseline;
  if (b) {
    out.push(
      `- baseline: ${escapeMarkdown(b.path)} (machine ${escapeMarkdown(b.machine)}, recorded ${escapeMarkdown(b.recordedAt)}${
        b.stale ? ', ⚠️ stale: the workload changed since' : ''
      })`,
    );
    if (b.mismatch.length) out.push(`- ⚠️ baseline from another machine class: ${b.mismatch.map(escapeMarkdown).join('; ')}`);
  } else {
    out.push('- baseline: none');
  }
  out.push('');
  return out;
}

function scenarioDetails(s: ScenarioReport, items: readonly GatedItem[]): string {
  const mine = items.filter((i) => i.scenario === s);
  const counts = countByStatus(mine);
  const summaryCounts = (Object.keys(counts) as ItemStatus[])
    .filter((k) => counts[k] > 0)
    .sort((a, b) => severityRank(a) - severityRank(b))
    .map((k) => `${counts[k]} ${STATUS_LABEL[k].replace(/^\S+ /, '')}`)
    .join(', ');
  const lines = [
    `<details><summary>${SCENARIO_ICON[s.status]} <b>${escapeHtml(s.name)}</b> · ${s.status}${
      summaryCounts ? ` · ${escapeHtml(summaryCounts)}` : ''
    }</summary>`,
    '',
    ...scenarioFacts(s),
    ...failureMarkdown(s),
    ...(s.irqTable ? ['**Interrupts per NUMA node** (summed over the counted repetitions)', '', ...irqTableMarkdown(s.irqTable)] : []),
    ...histogramSections(s),
    ...collectorsMarkdown(s),
    ...lostMarkdown(s),
    '</details>',
    '',
  ];
  return lines.join('\n');
}

function environmentMarkdown(report: Report): string {
  const rows = Object.entries(report.environment).map(
    ([k, v]) => `| ${escapeMarkdown(k)} | ${v === null ? '—' : escapeMarkdown(String(v))} |`,
  );
  return ['<details><summary>Environment</summary>', '', '| Field | Value |', '| :-- | :-- |', ...rows, '', '</details>', ''].join('\n');
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
  const assemble = (rows: readonly Row[], tableNotice: string | null, details: readonly string[], detailsNotice: string | null): string =>
    [
      ...head,
      '',
      ...(rows.length ? tableLines(rows) : ['_No gated metrics or limits in this run._']),
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
  const blocks = scenarios.map((s) => scenarioDetails(s, items));

  const full = assemble(allRows, null, blocks, null);
  if (sizeOf(full, variant) <= limit) return full;

  const omittedNotice = (kept: number): string =>
    `Details of ${formatCount(scenarios.length - kept)} of ${plural(scenarios.length, 'scenario')} are left out to keep ${limitText(
      variant,
    )} (passing scenarios are left out first); report.json has everything.`;

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
