import type { IrqTable } from '../collect/proc/irq-table.js';
import { syscallEventsMarkdown } from './markdown-events.js';
import type { Histogram } from '../metrics/types.js';
import { formatCount, formatFraction, formatValue } from './format.js';
import { unavailableLines } from './markdown-collectors.js';
import { countByStatus, environmentErrorOf, severityRank, type GatedItem, type ItemStatus } from './items.js';
import { codeBlock, escapeHtml, escapeMarkdown, escapeParagraph, plural, SCENARIO_ICON, STATUS_LABEL } from './markdown-text.js';
import { INPUT_FAILURE } from './verdicts.js';
import type { Report, ScenarioReport } from './types.js';

/*
 * The per-scenario <details> blocks of summary.md and comment.md: facts, the failure, the
 * IRQ table, histograms and lost data; and the environment block. The collectors, which
 * scenarios share, are written once per report (markdown-collectors.ts).
 */

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
  if (sorted.length === 0) return [];
  // Behind their own <details>: they are context, and the scenario's facts come first.
  const out: string[] = [`<details><summary>Kernel distributions (${formatCount(sorted.length)})</summary>`, ''];
  for (const [family, h] of sorted.slice(0, MAX_HISTOGRAMS)) {
    out.push(`**${histogramTitle(family)}** (${formatCount(total(h))} events)`, '', codeBlock(histogramChart(h)), '');
  }
  if (sorted.length > MAX_HISTOGRAMS) {
    out.push(`${plural(sorted.length - MAX_HISTOGRAMS, 'more distribution')} in report.json (fewest events).`, '');
  }
  out.push('</details>', '');
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
  if (f.kind === INPUT_FAILURE) return [`**Input problem found after measuring** (the samples are kept): ${escapeMarkdown(f.message)}`, ''];
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

function scenarioFacts(s: ScenarioReport, ab: Report['ab']): string[] {
  const iso =
    s.isolation.kind === 'cgroup'
      ? `cgroup ${escapeMarkdown(s.isolation.path)}`
      : `${s.isolation.kind} (${escapeMarkdown(s.isolation.reason)})`;
  const out = [
    escapeParagraph(s.description),
    '',
    `- file: ${escapeMarkdown(s.file)}`,
    ab
      ? `- ${plural(s.repetitions, 'round')} of both sides, interleaved, after ${formatCount(s.warmup)} warm-up each · isolation: ${iso}`
      : `- ${plural(s.repetitions, 'repetition')} after ${formatCount(s.warmup)} warm-up · isolation: ${iso}`,
  ];
  const b = s.baseline;
  if (ab) {
    out.push(`- base side: ${escapeMarkdown(ab.sides.base.dir)}, measured beside the head round by round (no stored baseline)`);
  } else if (b) {
    out.push(
      `- baseline: ${escapeMarkdown(b.path)} (machine ${escapeMarkdown(b.machine)}, recorded ${escapeMarkdown(b.recordedAt)}${
        b.stale ? ', ⚠️ stale: the workload changed since' : ''
      })`,
    );
    if (b.mismatch.length) out.push(`- ⚠️ baseline from another machine class: ${b.mismatch.map(escapeMarkdown).join('; ')}`);
  } else {
    out.push('- baseline: none');
  }
  out.push(...unavailableLines(s), '');
  return out;
}

export function scenarioDetails(s: ScenarioReport, items: readonly GatedItem[], ab?: Report['ab']): string {
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
    ...scenarioFacts(s, ab),
    ...failureMarkdown(s),
    ...(s.irqTable ? ['**Interrupts per NUMA node** (summed over the counted repetitions)', '', ...irqTableMarkdown(s.irqTable)] : []),
    ...histogramSections(s),
    ...syscallEventsMarkdown(s),
    ...lostMarkdown(s),
    '</details>',
    '',
  ];
  return lines.join('\n');
}

export function environmentMarkdown(report: Report): string {
  const rows = Object.entries(report.environment).map(
    ([k, v]) => `| ${escapeMarkdown(k)} | ${v === null ? '—' : escapeMarkdown(String(v))} |`,
  );
  return ['<details><summary>Environment</summary>', '', '| Field | Value |', '| :-- | :-- |', ...rows, '', '</details>', ''].join('\n');
}
