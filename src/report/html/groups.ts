import { formatCount, formatValue } from '../format.js';
import type { ScenarioReport } from '../types.js';
import { BASELINE_COLOR, CURRENT_COLOR, THIRD_COLOR } from './color.js';
import { esc, num } from './escape.js';
import { figureHtml, svgOpen, tableHtml } from './figure.js';
import { groupViews, irqTime, type CallRow, type GroupView } from './groups-model.js';
import { groupTotals } from './timeline-maps.js';

const READY = /^sched\.ready_delay\.thread\.(.+)\.(total|p99|max)$/;
/** Groups drawn in the time figure; every group is in the tables. */
export const MAX_DRAWN_GROUPS = 12;

const ns = (v: number) => esc(formatValue(v, 'ns'));
const n = (v: number) => esc(formatCount(v));
const dash = '<span class="muted">—</span>';

/** Without `collect.ebpf.threads`: ready delay from the per-group metrics, run time and switches from the timeline. */
function readyOnlyTable(s: ScenarioReport): string {
  const ready = new Map<string, Partial<Record<'total' | 'p99' | 'max', number | null>>>();
  for (const m of s.metrics) {
    const hit = READY.exec(m.name);
    if (!hit) continue;
    const row = ready.get(hit[1]!) ?? {};
    row[hit[2] as 'total' | 'p99' | 'max'] = m.summary.median;
    ready.set(hit[1]!, row);
  }
  const timeline = s.timeline ?? [];
  const run = new Map(groupTotals(timeline).map((g) => [g.name, g]));
  const names = [...new Set([...ready.keys(), ...run.keys()])].sort();
  if (names.length === 0) return '';
  const reps = Math.max(1, timeline.length);
  const none = '<span class="muted">not measured</span>';
  const rows = names.map((name) => {
    const r = ready.get(name);
    const g = run.get(name);
    const v = (x: number | null | undefined) => (x === undefined ? none : esc(formatValue(x, 'ns')));
    return [esc(name), none, g ? esc(formatValue(g.onCpuNs / reps, 'ns')) : none, g ? esc(String(Math.round(g.switches / reps))) : none, v(r?.total), v(r?.p99), v(r?.max), none];
  });
  return `<h3>Thread groups</h3>\n<p class="muted">Per repetition (medians; run time and switches: means from the timeline). System calls and interrupts per thread group need collect.ebpf.threads: true.</p>\n${tableHtml(
    ['thread group', 'syscalls', 'run (on CPU)', 'switches', 'ready total', 'ready p99', 'ready max', 'IRQ'],
    rows,
    'num groups',
  )}`;
}

function overviewRow(g: GroupView): string {
  const irq = (rows: CallRow[]) => (rows.length === 0 ? [dash, dash] : [n(rows.reduce((a, r) => a + r.count, 0)), ns(rows.reduce((a, r) => a + r.total, 0))]);
  const sysMax = g.syscalls.reduce((a, r) => Math.max(a, r.max), 0);
  const cells = [
    ...(g.syscallAll ? [n(g.syscallAll.count), ns(g.syscallAll.total), ns(sysMax)] : [dash, dash, dash]),
    ...(g.run ? [n(g.run.count), ns(g.run.total), ns(g.run.min), ns(g.run.max)] : [dash, dash, dash, dash]),
    ...(g.ready ? [n(g.ready.count), ns(g.ready.total), ns(g.ready.max)] : [dash, dash, dash]),
    ...irq(g.hardirq),
    ...irq(g.softirq),
  ];
  return `<tr><th scope="row">${esc(g.name)}</th>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** One row per group, kernel_delay's four blocks side by side under spanning headers. */
function overviewTable(views: readonly GroupView[]): string {
  const span = (label: string, cols: number) => `<th scope="colgroup" colspan="${cols}">${esc(label)}</th>`;
  const sub = ['count', 'total', 'max', 'count', 'total', 'min', 'max', 'count', 'total', 'max', 'count', 'time', 'count', 'time'];
  return [
    '<table class="num groups thread-groups"><thead>',
    `<tr><th scope="col" rowspan="2">thread group</th>${span('system calls', 3)}${span('run (on CPU)', 4)}${span('ready (run queue)', 3)}${span('hard IRQs', 2)}${span('soft IRQs', 2)}</tr>`,
    `<tr>${sub.map((h) => `<th scope="col">${h}</th>`).join('')}</tr>`,
    '</thead><tbody>',
    views.map(overviewRow).join('\n'),
    '</tbody></table>',
  ].join('\n');
}

function callTable(rows: readonly CallRow[], nrLabel: string | null, timeLabel: string): string {
  const head = ['name', ...(nrLabel ? [nrLabel] : []), 'count', timeLabel, 'max'];
  return tableHtml(head, rows.map((r) => [esc(r.name), ...(nrLabel ? [r.nr === null ? dash : esc(String(r.nr))] : []), n(r.count), ns(r.total), ns(r.max)]), 'num');
}

/** kernel_delay's blocks for one group: each system call, each hard IRQ handler, each softirq vector. */
function groupDetails(g: GroupView, open: boolean): string {
  const parts: string[] = [];
  if (g.syscalls.length > 0) {
    const total = g.syscallAll ? `<p class="muted">${esc(`All system calls: ${formatCount(g.syscallAll.count)} calls, ${formatValue(g.syscallAll.total, 'ns')} (blocking calls left out of this total where the scenario sets exclude_blocking).`)}</p>` : '';
    parts.push(`<h4>System calls</h4>${callTable(g.syscalls, 'number', 'total')}${total}`);
  }
  if (g.hardirq.length > 0) parts.push(`<h4>Hard IRQs that landed on it</h4>${callTable(g.hardirq, null, 'time')}`);
  if (g.softirq.length > 0) parts.push(`<h4>Soft IRQs that landed on it</h4>${callTable(g.softirq, 'vector', 'time')}`);
  if (parts.length === 0) return '';
  const what = `${g.name}: ${g.syscalls.length} system calls, ${g.hardirq.length} hard IRQ handlers, ${g.softirq.length} softirq vectors`;
  return `<details class="group-detail"${open ? ' open=""' : ''}><summary>${esc(what)}</summary>\n${parts.join('\n')}\n</details>`;
}

const MEASURES = [
  { key: 'run', label: 'on CPU', color: BASELINE_COLOR },
  { key: 'ready', label: 'ready (waiting for a CPU)', color: CURRENT_COLOR },
  { key: 'irq', label: 'in IRQs that landed on it', color: THIRD_COLOR },
] as const;

function measure(g: GroupView, key: (typeof MEASURES)[number]['key']): number {
  return key === 'run' ? (g.run?.total ?? 0) : key === 'ready' ? (g.ready?.total ?? 0) : irqTime(g).total;
}

/** Where each group's time went, three bars per group on one scale, with its numbers as a table. */
function timeFigure(views: readonly GroupView[]): string {
  const drawn = views.slice(0, MAX_DRAWN_GROUPS);
  const W = 640;
  const LW = 150;
  const BH = 10;
  const GH = MEASURES.length * BH + 8;
  const max = Math.max(1e-12, ...drawn.flatMap((g) => MEASURES.map((m) => measure(g, m.key))));
  const caption = 'Time per repetition of each thread group (medians): on a CPU, waiting on the run queue, and in interrupts that landed while it ran';
  const parts = [svgOpen(W, drawn.length * GH + 24, caption)];
  drawn.forEach((g, gi) => {
    const y0 = gi * GH + 4;
    parts.push(`<text x="${LW - 6}" y="${y0 + BH * 2}" class="label" text-anchor="end">${esc(g.name)}</text>`);
    MEASURES.forEach((m, mi) => {
      const v = measure(g, m.key);
      const w = Math.max(v > 0 ? 1 : 0, (v / max) * (W - LW - 80));
      const y = y0 + mi * BH;
      parts.push(`<rect x="${LW}" y="${y}" width="${num(w)}" height="${BH - 1}" fill="${m.color}"><title>${esc(`${g.name}, ${m.label}: ${formatValue(v, 'ns')}`)}</title></rect>`);
      parts.push(`<text x="${num(LW + w + 3)}" y="${y + BH - 1}" class="tick small">${esc(formatValue(v, 'ns'))}</text>`);
    });
  });
  const ly = drawn.length * GH + 12;
  MEASURES.forEach((m, i) => parts.push(`<rect x="${LW + i * 170}" y="${ly}" width="10" height="8" fill="${m.color}"/><text x="${LW + i * 170 + 14}" y="${ly + 8}" class="tick">${esc(m.label)}</text>`));
  parts.push('</svg>');
  const table = tableHtml(['thread group', ...MEASURES.map((m) => esc(m.label))], drawn.map((g) => [esc(g.name), ...MEASURES.map((m) => ns(measure(g, m.key)))]), 'num');
  return figureHtml('thread-time', esc(caption), parts.join(''), table);
}

/**
 * Per thread group, in the layout of kernel_delay.py: system calls (count, total, max), run
 * time on a CPU (count, total, min, max), ready time (count, total, max), and the hard and
 * soft IRQs that landed on it; largest first. Medians over the repetitions. The tables are
 * the page itself (no script); the bars are a picture of the same numbers.
 */
export function threadGroupTable(s: ScenarioReport, arch: string): string {
  const views = groupViews(s, arch);
  if (views.length === 0) return readyOnlyTable(s);
  return [
    '<h3>Thread groups</h3>',
    `<p class="muted">${esc(`Per repetition (medians of ${s.repetitions}), largest on-CPU time first, from collect.ebpf.threads. Interrupts count the ones that landed while a thread of the group was on the CPU.`)}</p>`,
    overviewTable(views),
    timeFigure(views),
    views.map((g, i) => groupDetails(g, i === 0)).filter(Boolean).join('\n'),
  ].join('\n');
}
