import { formatValue } from '../format.js';
import type { ScenarioReport } from '../types.js';
import { esc } from './escape.js';
import { tableHtml } from './figure.js';
import { groupTotals } from './timeline-maps.js';

const READY = /^sched\.ready_delay\.thread\.(.+)\.(total|p99|max)$/;

/**
 * Per thread group, in the layout of kernel_delay.py: system calls, run time, ready
 * (run-queue) delay, interrupts. Medians over the repetitions. Only what the capture
 * measures per group is filled; the rest says so rather than showing a zero.
 */
export function threadGroupTable(s: ScenarioReport): string {
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
    const ns = (v: number | null | undefined) => (v === undefined ? none : esc(formatValue(v, 'ns')));
    return [
      esc(name),
      none,
      g ? esc(formatValue(g.onCpuNs / reps, 'ns')) : none,
      g ? esc(String(Math.round(g.switches / reps))) : none,
      ns(r?.total),
      ns(r?.p99),
      ns(r?.max),
      none,
    ];
  });
  return `<h3>Thread groups</h3>\n<p class="muted">Per repetition (medians; run time and switches: means from the timeline). System calls and interrupts per thread group are not measured yet.</p>\n${tableHtml(
    ['thread group', 'syscalls', 'run (on CPU)', 'switches', 'ready total', 'ready p99', 'ready max', 'IRQ'],
    rows,
    'num groups',
  )}`;
}
