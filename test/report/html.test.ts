import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { ProcCpuSeries, SchedTimeline } from '../../src/run/timeline.js';
import { renderHtml } from '../../src/report/html/render.js';
import { heatMapFigure, MAX_CELLS } from '../../src/report/html/heatmap.js';
import { OTHER_LABEL } from '../../src/report/html/timeline-maps.js';
import { validateReport } from '../../src/report/schema.js';
import type { Report } from '../../src/report/types.js';
import { reportJsonText } from '../../src/report/write.js';
import { histogramAround, metric, sampleReport } from './sample.js';

const fixture = (): SchedTimeline[] => JSON.parse(readFileSync(new URL('../fixtures/html/timeline.json', import.meta.url), 'utf8')) as SchedTimeline[];

const HOSTILE = `<script>alert(1)</script>"><img src=x onerror=alert(2)>'&amp;`;

function cpuSeries(repetition: number): ProcCpuSeries {
  return {
    repetition,
    t: [0, 0.25, 0.5, 0.75],
    cpus: [0, 1, 2, 3],
    nodes: [0, 0, 1, 1],
    irq: [[1, 2, 3], [0, 0, 0], [5, 0, 7], [0, 9, 0]],
    arch: [[40, 41, 42], [30, 31, 32], [20, 21, 22], [10, 11, 12]],
    softirq: { net_rx: [[0, 1, 0], [2, 0, 0], [0, 0, 3], [1, 1, 1]], timer: [[5, 5, 5], [5, 5, 5], [5, 5, 5], [5, 5, 5]] },
  };
}

/** Every string a report carries, set to markup that would run or break out of an attribute if it were not escaped. */
function hostileReport(): Report {
  const report = sampleReport();
  report.runId = HOSTILE;
  report.environment.cpuModel = HOSTILE;
  const s = report.scenarios[0]!;
  s.name = HOSTILE;
  s.description = HOSTILE;
  s.metrics.push(metric(`sched.ready_delay.thread.${HOSTILE}.total`, [1, 2, 3]));
  s.metrics.push(metric(`thread.${HOSTILE}.run.total`, [1, 2, 3]), metric(`thread.${HOSTILE}.syscall.read.count`, [1, 2, 3], { unit: '1' }), metric(`thread.${HOSTILE}.softirq.${HOSTILE}.time`, [1, 2, 3]));
  s.metrics.push(metric(`syscall.${HOSTILE}.p50`, [1, 2, 3], { unit: HOSTILE, histogram: { ...histogramAround(500, 1000), unit: HOSTILE } }));
  s.metrics.push(metric(`irq.hard.${HOSTILE}.time`, [5, 6, 7], { gated: true, unit: HOSTILE, verdict: { status: 'no-baseline', message: HOSTILE } }));
  s.cpuSeries = [{ ...cpuSeries(1), softirq: { [HOSTILE]: [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 1, 1]] } }];
  const timeline = fixture();
  for (const t of timeline) t.groups[0]!.name = HOSTILE;
  s.timeline = timeline;
  const f = report.scenarios[2]!.failure!;
  f.message = HOSTILE;
  f.stderrTail = HOSTILE;
  return report;
}

/**
 * Every start tag of the page with its attribute names. A tag whose attributes are not all
 * `name="value"` pairs (what a quote breaking out of a value leaves behind) throws.
 */
function tagsOf(html: string): Array<{ name: string; attrs: string[] }> {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9-]*)([^>]*)>/g)].map((m) => {
    const rest = m[2]!;
    if (!/^(\s+[a-zA-Z][a-zA-Z0-9:-]*="[^"]*")*\s*\/?$/.test(rest)) throw new Error(`malformed attributes in <${m[1]}${rest}>`);
    return { name: m[1]!.toLowerCase(), attrs: [...rest.matchAll(/\s([a-zA-Z][a-zA-Z0-9:-]*)="[^"]*"/g)].map((a) => a[1]!.toLowerCase()) };
  });
}

const ALLOWED_TAGS = new Set(
  'html head meta title style body header h1 h2 h3 h4 p span nav a main table thead tbody tr th td div svg rect circle line text g title figure figcaption details summary ul li section pre footer'.split(' '),
);

describe('report.html', () => {
  test('every string from the report is escaped: the page holds only the tags and attributes the renderer writes', () => {
    const html = renderHtml(hostileReport());
    const tags = tagsOf(html);
    expect(tags.filter((t) => !ALLOWED_TAGS.has(t.name))).toEqual([]);
    expect(tags.flatMap((t) => t.attrs).filter((a) => a.startsWith('on') || a === 'src')).toEqual([]);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&amp;amp;');
  });

  test('the page is self-contained: no script, no stylesheet link, no link or source outside the page', () => {
    const html = renderHtml(sampleReport());
    const tags = tagsOf(html);
    expect(tags.filter((t) => ['script', 'link', 'img', 'iframe', 'object'].includes(t.name))).toEqual([]);
    const hrefs = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.filter((h) => !h.startsWith('#'))).toEqual([]);
    expect(html).not.toMatch(/url\(|@import/);
    expect(html).toContain("default-src 'none'");
  });

  test('the verdict table lists every gated metric and limit, worst first, with its samples drawn', () => {
    const html = renderHtml(sampleReport());
    const table = html.slice(html.indexOf('<table class="verdicts">'), html.indexOf('</table>', html.indexOf('<table class="verdicts">')));
    const rows = table.split('<tr>').slice(2);
    expect(rows[0]).toContain('crashy');
    expect(rows[1]).toContain('>regression<');
    expect(rows[2]).toContain('limit exceeded');
    expect(rows.filter((r) => r.includes('data-figure="strip"'))).toHaveLength(8);
    expect(table).toContain('+14.2% (+10.2% … +18.2%)');
  });

  test('a strip plot marks the tolerance band around the baseline median and names every repetition', () => {
    const html = renderHtml(sampleReport());
    const strip = html.slice(html.indexOf('sched.ready_delay.p99: samples'), html.indexOf('</svg>', html.indexOf('sched.ready_delay.p99: samples')));
    expect(strip).toContain('tolerance band: baseline median ±10%');
    expect(strip.match(/<circle/g)).toHaveLength(10);
    expect(strip).toContain('current, repetition 10:');
  });

  test('core locality is drawn per thread group from the timeline, one row per CPU with its NUMA node; a group under 1% of the on-CPU time gets none', () => {
    const report = sampleReport();
    report.scenarios[0]!.timeline = fixture();
    const html = renderHtml(report);
    const maps = html.split('data-figure="heat-locality"').slice(1);
    expect(maps.map((m) => /Core locality of ([^:]+):/.exec(m)?.[1])).toEqual(['worker*', 'main']);
    const perCore = html.slice(html.indexOf('data-figure="heat-runtime-group-core"'));
    expect(perCore.slice(0, perCore.indexOf('</figure>'))).toContain('<th scope="row">irq/ksoftirqd</th>');
    expect(maps[0]!.split('</figure>')[0]!.match(/<rect [^>]*><title>CPU \d \(node \d\)/g)).toHaveLength(4 * 40);
    expect(maps[0]).toContain('<text x="4" y="16" class="band-label">node 0</text>');
    expect(html).toContain('data-figure="heat-switches-cpu"');
    expect(html).toContain('12 scheduling events did not fit');
  });

  test("run time per core adds up to the whole time: each CPU's column, the idle row included, sums to 100%", () => {
    const report = sampleReport();
    report.scenarios[0]!.timeline = fixture();
    const html = renderHtml(report);
    const fig = html.slice(html.indexOf('data-figure="heat-runtime-group-core"'));
    const table = fig.slice(fig.indexOf('<details>'), fig.indexOf('</details>'));
    const rows = table.split('<tr>').slice(2).map((r) => [...r.matchAll(/<td>([\d.]+)%<\/td>/g)].map((m) => Number(m[1])));
    expect(table).toContain(OTHER_LABEL);
    for (let cpu = 0; cpu < 4; cpu++) expect(rows.reduce((a, r) => a + (r[cpu] ?? 0), 0)).toBeCloseTo(100, 0);
  });

  test('an A/B report draws the heat maps of the base side and of the head side, each from its own series', () => {
    const report = sampleReport();
    const s = report.scenarios[0]!;
    s.timeline = fixture();
    s.cpuSeries = [cpuSeries(1)];
    const base = fixture();
    for (const t of base) t.groups = t.groups.filter((g) => g.name !== 'main');
    s.baseSide = { timeline: base, cpuSeries: [{ ...cpuSeries(1), irq: [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 77, 0]] }] };
    const html = renderHtml(report);
    const where = html.slice(html.indexOf('<h3>Where on the machine</h3>'), html.indexOf('<h3>Thread groups</h3>') >>> 0);
    const [baseHtml, headHtml] = where.split('<h4 class="side">head side</h4>') as [string, string];
    expect(baseHtml).toContain('<h4 class="side">base side</h4>');
    const captions = (part: string) => [...new Set([...part.matchAll(/Core locality of ([^:]+): [^,]+, (base|head) side, repetition/g)].map((m) => `${m[2]} ${m[1]}`))];
    expect(captions(baseHtml)).toEqual(['base worker*']);
    expect(captions(headHtml)).toEqual(['head worker*', 'head main']);
    expect(baseHtml).toContain('<title>CPU 3 (node 1), 0.25–0.50 s: 77 interrupts</title>');
    expect(headHtml).not.toContain('77 interrupts');
  });

  test('without a timeline the page says what is missing and draws no core locality', () => {
    const html = renderHtml(sampleReport());
    expect(html).not.toContain('data-figure="heat-locality"');
    expect(html).toContain('No scheduling timeline in this report');
  });

  test('interrupts per CPU over time come from the /proc series of the median repetition', () => {
    const report = sampleReport();
    const s = report.scenarios[0]!;
    s.metrics[0]!.samples = [3e9, 1e9, 2e9];
    s.cpuSeries = [cpuSeries(1), { ...cpuSeries(3), irq: [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 99]] }, cpuSeries(2)];
    const html = renderHtml(report);
    const fig = html.slice(html.indexOf('data-figure="heat-irq-cpu"'), html.indexOf('</figure>', html.indexOf('data-figure="heat-irq-cpu"')));
    expect(fig).toContain('repetition 3 of 10 (median wall time)');
    expect(fig).toContain('<title>CPU 3 (node 1), 0.50–0.75 s: 99 interrupts</title>');
    expect(html).toContain('Soft interrupts net_rx per CPU over time');
  });

  test("a verdict's kernel explanation is shown where the report has one", () => {
    const report = sampleReport();
    const m = report.scenarios[0]!.metrics[1]!;
    (m.verdict as unknown as { explanation: string }).explanation = 'ready delay rose because <workers> shared CPU 1';
    expect(renderHtml(report)).toContain('<h4>Why sched.ready_delay.p99 changed</h4><p>ready delay rose because &lt;workers&gt; shared CPU 1</p>');
  });

  test('the thread-group table takes ready delay from the per-group metrics and run time from the timeline', () => {
    const report = sampleReport();
    const s = report.scenarios[0]!;
    s.metrics.push(metric('sched.ready_delay.thread.worker*.total', [2e6, 3e6, 4e6]), metric('sched.ready_delay.thread.worker*.p99', [5e4, 5e4, 5e4]));
    s.timeline = fixture();
    const html = renderHtml(report);
    const groups = html.slice(html.indexOf('<table class="num groups">'));
    const row = groups.slice(groups.indexOf('<tr><th scope="row">worker*</th>'));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/<td><span class="muted">not measured<\/span><\/td><td>[\d.]+ s<\/td><td>\d+<\/td><td>3.00 ms<\/td><td>50.0 µs<\/td>/);
  });
});

describe('the timeline and per-CPU series in report.json', () => {
  test('a report with the timeline fixture and per-CPU series validates against the schema', () => {
    const report = sampleReport();
    report.scenarios[0]!.timeline = fixture();
    report.scenarios[0]!.cpuSeries = [cpuSeries(1)];
    expect(validateReport(JSON.parse(reportJsonText(report))).ok).toBe(true);
  });

  test('a timeline with a negative switch count fails validation', () => {
    const report = sampleReport();
    const timeline = fixture();
    timeline[0]!.groups[0]!.switches[0]![0] = -1;
    report.scenarios[0]!.timeline = timeline;
    expect(validateReport(JSON.parse(reportJsonText(report))).ok).toBe(false);
  });
});

describe('heat maps', () => {
  test('a map too large to draw cell by cell merges columns and keeps the total', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i % 7);
    const rows = Array.from({ length: 64 }, (_, i) => ({ label: `CPU ${i}`, values }));
    const html = heatMapFigure({ kind: 'k', caption: 'c', rows, columns: values.map((_, i) => `t${i}`), format: String });
    const cells = html.split('</figure>')[0]!.split('<details>')[0]!.match(/<rect [^>]*><title>/g) ?? [];
    expect(cells.length).toBeLessThanOrEqual(MAX_CELLS);
    const firstRow = [...html.matchAll(/<title>CPU 0, [^:]+: (\d+)<\/title>/g)].map((m) => Number(m[1]));
    expect(firstRow.reduce((a, b) => a + b, 0)).toBe(values.reduce((a, b) => a + b, 0));
  });
});
