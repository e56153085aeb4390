import { describe, expect, test } from 'vitest';
import { gatedItems } from '../../src/report/items.js';
import {
  COMMENT_LIMIT_CHARS,
  SUMMARY_LIMIT_BYTES,
  escapeMarkdown,
  histogramChart,
  renderMarkdown,
} from '../../src/report/markdown.js';
import type { Report } from '../../src/report/types.js';
import { cmarkGfm, htmlTables, htmlText } from './helpers.js';
import { AWKWARD, copiedScenarioReport, histogramAround, manyScenarioReport, sampleReport } from './sample.js';

/** Rows the headline table must have: every gated metric and limit, plus one per failed workload. */
function expectedHeadlineRows(report: Report): number {
  return gatedItems(report).length + report.scenarios.filter((s) => s.failure).length;
}

describe('summary.md', () => {
  const report = sampleReport();
  const md = renderMarkdown(report, { variant: 'summary' });
  const html = cmarkGfm(md);
  const unsafeHtml = cmarkGfm(md, true);

  test('renders through cmark-gfm with its tables intact', () => {
    const tables = htmlTables(html);
    const samples = tables.filter((t) => t[0]![1] === 'n' && t[0]![3] === 'p25');
    expect(samples.length).toBeGreaterThan(0);
    // headline, the samples of each check that did not pass, environment, collectors (once), the IRQ table per node and per CPU
    expect(tables).toHaveLength(1 + samples.length + 1 + 1 + 2);
    expect(htmlTables(unsafeHtml)).toHaveLength(tables.length);
    expect(tables.filter((t) => t[0]![0] === 'Collector')).toHaveLength(1);
    const headline = tables[0]!;
    expect(headline[0]).toEqual(['Scenario', 'Metric', 'Baseline (median)', 'Current (median)', 'Tolerance', 'Change [95% CI]', 'Verdict']);
    expect(headline).toHaveLength(1 + expectedHeadlineRows(report));
    for (const row of headline) expect(row).toHaveLength(7);
  });

  test('the headline says what happened: errors first, then regressions', () => {
    expect(md.split('\n')[0]).toBe('## ⚠️ kdelta: 1 workload failed, 2 regressions');
    const regression = { ...sampleReport(), status: 'regression' as const };
    regression.scenarios = regression.scenarios.slice(0, 1);
    expect(renderMarkdown(regression, { variant: 'summary' }).split('\n')[0]).toBe('## ❌ kdelta: 2 regressions');
    const pass = { ...sampleReport(), status: 'pass' as const, scenarios: [] };
    expect(renderMarkdown(pass, { variant: 'summary' }).split('\n')[0]).toBe('## ✅ kdelta: pass');
  });

  test('the headline table puts the failed workload and the regressions first, in human units', () => {
    const rows = htmlTables(html)[0]!.slice(1);
    expect(rows[0]).toEqual(['crashy', 'workload', '—', '—', '—', '—', '⚠️ failed (exit code 3, repetition 2)']);
    expect(rows[1]).toEqual(['syscall-loop', 'sched.ready_delay.p99', '1.00 µs', '1.14 µs', '+10%', '+14.2%\u00a0[+10.2,\u00a0+18.2]', '❌ regression']);
    expect(rows[2]).toEqual(['syscall-loop', 'limit: sched.ready_delay.p99 < 1us', '—', '1.14 µs', '—', '—', '❌ limit exceeded']);
    expect(rows.map((r) => r[6])).toContain('❔ inconclusive (needs 9 reps)');
    expect(rows.find((r) => r[1] === 'irq.node0.count')![3]).toBe('1,050,000');
    expect(rows.find((r) => r[1] === 'workload.wall_time' && r[0] === 'syscall-loop')![2]).toBe('2.05 s');
  });

  test('awkward names survive as text in tables, the <summary> line and lists', () => {
    const rows = htmlTables(html)[0]!;
    expect(rows.some((r) => r[0] === AWKWARD && r[1] === `workload.${AWKWARD}`)).toBe(true);
    expect(htmlText(unsafeHtml)).toContain(`${AWKWARD} · pass`);
    expect(htmlText(html)).toContain(`file: /work/main/scenarios/${AWKWARD}.yaml`);
    expect(htmlText(html)).toContain('and `backticks` must survive');
    const irq = htmlTables(html).find((t) => t[0]![0] === 'IRQ')!;
    expect(irq[2]![1]).toBe(`virtio0-input.0 ${AWKWARD}`);
  });

  test('every <details> block is closed, the kernel distributions nested in their scenario', () => {
    const opened = unsafeHtml.match(/<details>/g)!.length;
    const nested = unsafeHtml.match(/<summary>Kernel distributions \(\d+\)<\/summary>/g)!.length;
    expect(nested).toBeGreaterThan(0);
    expect(opened).toBe(2 + 3 + nested); // environment, collectors, 3 scenarios, and the nested ones
    expect(unsafeHtml.match(/<\/details>/g)!.length).toBe(opened);
  });

  test('a failed workload shows its stderr tail in a code block its backticks cannot close', () => {
    const code = Array.from(html.matchAll(/<pre><code[^>]*>([\s\S]*?)<\/code><\/pre>/g), (m) => htmlText(m[1]!));
    expect(code).toContain('panic: <boom> & "quotes"\n```\nend of ]]> cdata\nbell\n');
  });

  test('unavailable collectors show their reason, fix and the metrics they disable', () => {
    const collectors = htmlTables(html).filter((t) => t[0]![0] === 'Collector');
    const ebpf = collectors.flatMap((t) => t).find((r) => r[0] === 'ebpf' && r[2]!.includes('unavailable'))!;
    expect(ebpf).toEqual(['ebpf', 'yes', '🚫 unavailable: tracefs is not mounted', 'mount -t tracefs tracefs /sys/kernel/tracing', 'sched.ready_delay.*, syscall.*', AWKWARD]);
    expect(htmlText(html)).toContain('🚫 ebpf unavailable here: tracefs is not mounted');
    expect(htmlText(html)).toContain('repetition 2 (proc): sampler missed 3 of 40 intervals');
  });

  test('ready delay and syscall latency are drawn as bar histograms', () => {
    expect(htmlText(html)).toContain('Ready delay (run-queue wait) (50,091 events)');
    expect(htmlText(html)).toContain('Syscall latency: getppid (1,004,125 events)');
    expect(md).toMatch(/│█{32}│/);
  });

  test('nothing is truncated when the run fits', () => {
    expect(md).not.toContain('Cut to keep');
  });
});

describe('histogramChart', () => {
  test('draws one line per bucket with the largest bucket at full width', () => {
    const chart = histogramChart({
      unit: 'ns',
      subBuckets: 8,
      buckets: [
        { lo: 1024, hi: 1152, count: 10 },
        { lo: 1152, hi: 1280, count: 40 },
        { lo: 1280, hi: 1408, count: 5 },
      ],
    });
    const lines = chart.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`[1.15 µs, 1.28 µs) │${'█'.repeat(32)}│ 40 (72.7%)`);
    expect(lines[0]).toBe(`[1.02 µs, 1.15 µs) │████████${' '.repeat(24)}│ 10 (18.2%)`);
  });

  test('merges sub-buckets per power of two when there are too many to read', () => {
    const h = histogramAround(100_000, 1_000_000);
    expect(h.buckets.length).toBeGreaterThan(24);
    const lines = histogramChart(h).split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    const total = lines.reduce((a, l) => a + Number(/│ +([\d,]+) /.exec(l)![1]!.replace(/,/g, '')), 0);
    expect(total).toBe(h.buckets.reduce((a, b) => a + b.count, 0));
  });
});

describe('escapeMarkdown', () => {
  test('makes table cells and inline markup inert', () => {
    expect(escapeMarkdown('a|b*c_d`e<f&g\nh$i')).toBe('a\\|b\\*c\\_d\\`e&lt;f&amp;g h\\$i');
  });
});

describe('size rules', () => {
  test('a PR comment for 300 scenarios stays under 65,000 characters with the whole headline table and a notice', () => {
    const big = manyScenarioReport(300);
    const md = renderMarkdown(big, { variant: 'comment' });
    expect(md.length).toBeLessThan(COMMENT_LIMIT_CHARS);
    const html = cmarkGfm(md, true);
    const headline = htmlTables(html)[0]!;
    expect(headline).toHaveLength(1 + expectedHeadlineRows(big));
    expect(md).toMatch(/Cut to keep this comment under 65,000 characters: .*the details of [\d,]+ of 300 scenarios \(passing scenarios are cut first\)/);
    const details = html.match(/<details>/g)!.length - 1;
    expect(details).toBeGreaterThan(0);
    expect(details).toBeLessThan(300);
    expect(html.match(/<details>/g)!.length).toBe(html.match(/<\/details>/g)!.length);
    // Failed scenarios are the last to lose their details; the samples of every regression come before any details.
    expect(htmlText(html)).toContain('crashy · error');
    expect(htmlText(html)).toMatch(/bench-275 · \S+ \((lower|higher) is better\): ❌ regression/);
  });

  test('the step summary for 300 scenarios is complete and under 1 MiB', () => {
    const md = renderMarkdown(manyScenarioReport(300), { variant: 'summary' });
    expect(Buffer.byteLength(md)).toBeLessThan(SUMMARY_LIMIT_BYTES);
    expect(md).not.toContain('Cut to keep');
    // environment, collectors, and per scenario its own block and, where it has some, its kernel distributions
    const nested = md.match(/<summary>Kernel distributions/g)!.length;
    expect(nested).toBeGreaterThan(250);
    expect(md.match(/<details>/g)).toHaveLength(2 + 300 + nested);
  });

  test('the step summary for 2,000 scenarios drops details, not headline rows, to stay under 1 MiB', () => {
    const big = copiedScenarioReport(2000);
    const md = renderMarkdown(big, { variant: 'summary' });
    expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_LIMIT_BYTES);
    expect(md).toMatch(/Cut to keep this step summary under 1 MiB: .*the details of [\d,]+ of 2,000 scenarios/);
    expect(htmlTables(cmarkGfm(md))[0]).toHaveLength(1 + expectedHeadlineRows(big));
  });

  test('when even the headline table is too long for a comment, passing rows go first and the text says so', () => {
    const big = copiedScenarioReport(2000);
    const md = renderMarkdown(big, { variant: 'comment' });
    expect(md.length).toBeLessThan(COMMENT_LIMIT_CHARS);
    expect(md).toMatch(/Cut to keep this comment under 65,000 characters: the headline rows of [\d,]+ checks \(all passing ones and the least severe others\), of [\d,]+ scenarios: /);
    const headline = htmlTables(cmarkGfm(md))[0]!;
    expect(headline.slice(1).every((r) => r[6] !== '✅ pass')).toBe(true);
    expect(headline[1]![6]).toMatch(/^⚠️ failed/);
  });
});
