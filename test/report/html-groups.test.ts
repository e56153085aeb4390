import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { groupViews } from '../../src/report/html/groups-model.js';
import { renderHtml } from '../../src/report/html/render.js';
import type { SchedTimeline } from '../../src/run/timeline.js';
import type { MetricReport } from '../../src/report/types.js';
import { metric, sampleReport } from './sample.js';

/** `thread.<group>.*` as collect.ebpf.threads writes them, three repetitions each (the median is the middle one). */
function threadMetrics(group: string, o: { runTotal: number; calls: Record<string, [number, number, number]>; softirq?: Record<string, [number, number, number]>; hardirq?: Record<string, [number, number, number]> }): MetricReport[] {
  const three = (v: number) => [v * 0.9, v, v * 1.1];
  const out = [
    metric(`thread.${group}.run.count`, three(100), { unit: '1' }),
    metric(`thread.${group}.run.total`, three(o.runTotal)),
    metric(`thread.${group}.run.min`, three(1_000)),
    metric(`thread.${group}.run.max`, three(9_000_000)),
    metric(`thread.${group}.ready.count`, three(90), { unit: '1' }),
    metric(`thread.${group}.ready.total`, three(o.runTotal / 2)),
    metric(`thread.${group}.ready.max`, three(4_000_000)),
  ];
  let count = 0;
  let total = 0;
  for (const [name, [c, t, max]] of Object.entries(o.calls)) {
    out.push(metric(`thread.${group}.syscall.${name}.count`, three(c), { unit: '1' }), metric(`thread.${group}.syscall.${name}.total`, three(t)), metric(`thread.${group}.syscall.${name}.max`, three(max)));
    count += c;
    total += t;
  }
  out.push(metric(`thread.${group}.syscall.all.count`, three(count), { unit: '1' }), metric(`thread.${group}.syscall.all.total`, three(total)));
  for (const [kind, rows] of [['softirq', o.softirq ?? {}], ['hardirq', o.hardirq ?? {}]] as const) {
    for (const [name, [c, t, max]] of Object.entries(rows)) {
      out.push(metric(`thread.${group}.${kind}.${name}.count`, three(c), { unit: '1' }), metric(`thread.${group}.${kind}.${name}.time`, three(t)), metric(`thread.${group}.${kind}.${name}.max`, three(max)));
    }
  }
  return out;
}

function reportWithGroups() {
  const report = sampleReport();
  const s = report.scenarios[0]!;
  s.repetitions = 3;
  s.metrics.push(
    ...threadMetrics('beta*', { runTotal: 2e8, calls: { geteuid: [2000, 300_000, 5_000], nanosleep: [1, 5_100_000, 5_100_000] } }),
    ...threadMetrics('alpha*', { runTotal: 4e8, calls: { getppid: [2000, 200_000, 3_000] }, softirq: { timer: [7, 21_000, 5_000], rcu: [3, 9_000, 4_000] }, hardirq: { 'virtio3-rx': [2, 8_000, 4_500] } }),
    ...threadMetrics('python*.*', { runTotal: 1e6, calls: { read: [5, 5_000, 2_000] } }),
  );
  return report;
}

const section = (html: string, from: string, to: string) => html.slice(html.indexOf(from), html.indexOf(to, html.indexOf(from)));

describe('the thread-group table (kernel_delay.py layout) from thread.* metrics', () => {
  test('groups come largest on-CPU time first, a dotted group name is read whole, and every block is filled from the medians', () => {
    const s = reportWithGroups().scenarios[0]!;
    const views = groupViews(s, 'x64');
    expect(views.map((g) => g.name)).toEqual(['alpha*', 'beta*', 'python*.*']);
    const beta = views[1]!;
    expect(beta.run).toEqual({ count: 100, total: 2e8, min: 1_000, max: 9_000_000 });
    expect(beta.ready).toEqual({ count: 90, total: 1e8, max: 4_000_000 });
    expect(beta.syscallAll).toEqual({ count: 2001, total: 5_400_000 });
    // Largest total first; the x86_64 numbers (geteuid 107, nanosleep 35).
    expect(beta.syscalls.map((r) => [r.name, r.nr, r.count, r.total, r.max])).toEqual([
      ['nanosleep', 35, 1, 5_100_000, 5_100_000],
      ['geteuid', 107, 2000, 300_000, 5_000],
    ]);
    const alpha = views[0]!;
    expect(alpha.softirq.map((r) => [r.name, r.nr, r.count, r.total])).toEqual([['timer', 1, 7, 21_000], ['rcu', 9, 3, 9_000]]);
    expect(alpha.hardirq.map((r) => [r.name, r.nr, r.total, r.max])).toEqual([['virtio3-rx', null, 8_000, 4_500]]);
  });

  test('report.html shows one overview row per group with the four blocks, and the per-call tables behind a disclosure', () => {
    const html = renderHtml(reportWithGroups());
    const table = section(html, '<table class="num groups thread-groups">', '</table>');
    expect(table).toContain('<th scope="colgroup" colspan="3">system calls</th><th scope="colgroup" colspan="4">run (on CPU)</th><th scope="colgroup" colspan="3">ready (run queue)</th>');
    const rows = table.split('<tr><th scope="row">').slice(1).map((r) => [r.slice(0, r.indexOf('<')), ...[...r.matchAll(/<td>(.*?)<\/td>/g)].map((m) => m[1])]);
    expect(rows.map((r) => r[0])).toEqual(['alpha*', 'beta*', 'python*.*']);
    // beta*: syscalls 2,001 / 5.40 ms / max 5.10 ms; run 100 / 200 ms / 1.00 µs / 9.00 ms; ready 90 / 100 ms / 4.00 ms; no IRQs.
    expect(rows[1]).toEqual(['beta*', '2,001', '5.40 ms', '5.10 ms', '100', '200 ms', '1.00 µs', '9.00 ms', '90', '100 ms', '4.00 ms', '<span class="muted">—</span>', '<span class="muted">—</span>', '<span class="muted">—</span>', '<span class="muted">—</span>']);
    expect(rows[0]!.slice(11)).toEqual(['2', '8.00 µs', '10', '30.0 µs']);
    const details = section(html, '<details class="group-detail"><summary>beta*', '</details>');
    expect(details).toContain('<tr><th scope="row">nanosleep</th><td>35</td><td>1</td><td>5.10 ms</td><td>5.10 ms</td></tr>');
    expect(html).toContain('<details class="group-detail" open=""><summary>alpha*: 1 system calls, 1 hard IRQ handlers, 2 softirq vectors</summary>');
  });

  test('the time figure draws three bars per group with its numbers as a table', () => {
    const html = renderHtml(reportWithGroups());
    const fig = section(html, 'data-figure="thread-time"', '</figure>');
    expect(fig.match(/<rect [^>]*><title>/g)).toHaveLength(9);
    expect(fig).toContain('<title>beta*, on CPU: 200 ms</title>');
    expect(fig).toContain('<title>alpha*, in IRQs that landed on it: 38.0 µs</title>');
    expect(fig).toContain('<details><summary>Values as a table</summary>');
  });

  test('a hostile group name is escaped in every table and title', () => {
    const report = sampleReport();
    const evil = '<img src=x onerror=alert(1)>';
    report.scenarios[0]!.metrics.push(...threadMetrics(evil, { runTotal: 1e6, calls: { read: [1, 1000, 1000] } }));
    const html = renderHtml(report);
    expect(html).not.toContain(evil);
    expect(html).toContain('<th scope="row">&lt;img src=x onerror=alert(1)&gt;</th>');
  });

  test('without thread.* metrics the table falls back to ready delay per group and run time from the timeline', () => {
    const report = sampleReport();
    const s = report.scenarios[0]!;
    s.metrics.push(metric('sched.ready_delay.thread.worker*.total', [2e6, 3e6, 4e6]));
    s.timeline = JSON.parse(readFileSync(new URL('../fixtures/html/timeline.json', import.meta.url), 'utf8')) as SchedTimeline[];
    const html = renderHtml(report);
    expect(html).not.toContain('<table class="num groups thread-groups">');
    expect(html).toContain('System calls and interrupts per thread group need collect.ebpf.threads: true.');
  });
});
