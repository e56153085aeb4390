import { describe, expect, test } from 'vitest';
import { gatedItems } from '../../src/report/items.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { distributionBlocks, fiveNumbers, quantile, strip } from '../../src/report/markdown-distribution.js';
import { sidesOf } from '../../src/report/sides.js';
import type { Report } from '../../src/report/types.js';
import { cmarkGfm, htmlTables, htmlText } from './helpers.js';
import { AWKWARD, sampleReport } from './sample.js';

/** The samples tables of a rendered page, each with the bold line above it. */
function samplesSections(html: string): Array<{ title: string; rows: string[][] }> {
  return Array.from(html.matchAll(/<p><strong>([\s\S]*?)<\/strong>([\s\S]*?)<\/p>\s*<table>([\s\S]*?)<\/table>/g), (m) => ({
    title: htmlText(m[1]! + m[2]!),
    rows: htmlTables(`<table>${m[3]!}</table>`)[0]!,
  }));
}

describe('quantiles', () => {
  test('interpolate between order statistics (R type 7)', () => {
    expect(fiveNumbers([1, 2, 3, 4, 5])).toEqual([1, 2, 3, 4, 5]);
    expect(fiveNumbers([10, 1, 4, 2])).toEqual([1, 1.75, 3, 5.5, 10]);
    expect(quantile([7], 0.25)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('strip', () => {
  test('one cell per 1/24 of the scale, taller blocks for more samples, dots for none, the tolerance edge where no sample is', () => {
    const s = { lo: 0, hi: 24, log: false };
    expect(strip([0, 0, 23.9, 24], s, 12)).toBe(`▅${'·'.repeat(11)}┊${'·'.repeat(10)}▅`);
    expect(strip([5, 5, 5, 5, 5], s, 5)).toBe(`·····█${'·'.repeat(18)}`);
    // Every sample equal: the scale has no width, all in the middle cell.
    expect(strip([3, 3], { lo: 3, hi: 3, log: false }, null)).toBe(`${'·'.repeat(12)}▅${'·'.repeat(11)}`);
  });
});

describe('the samples of the checks that did not pass', () => {
  const report = sampleReport();
  const html = cmarkGfm(renderMarkdown(report, { variant: 'summary' }));
  const sections = samplesSections(html);

  test('are shown for the regression, the broken limit, the inconclusive and the improvement, and for nothing that passed', () => {
    const titles = sections.map((s) => s.title);
    expect(titles.find((t) => t.startsWith('syscall-loop · sched.ready_delay.p99'))).toMatch(/❌ regression \+14\.2% vs baseline, tolerance \+10%; ❌ limit exceeded: sched\.ready_delay\.p99 < 1us/);
    expect(titles.some((t) => t.includes('🟢 improvement'))).toBe(true);
    expect(titles.some((t) => t.includes('❔ inconclusive') && t.includes('needs 9 reps'))).toBe(true);
    const passing = gatedItems(report).filter((i) => i.verdict?.status === 'pass' || i.verdict?.status === 'no-baseline');
    for (const p of passing) expect(titles.some((t) => t.startsWith(`${p.scenario.name} · ${p.name} (`))).toBe(false);
    // One section per metric, worst first.
    expect(titles[0]).toMatch(/^syscall-loop · sched\.ready_delay\.p99/);
    expect(new Set(titles).size).toBe(titles.length);
  });

  test('each has the quantiles of both sides, in the unit, and both strips on one scale', () => {
    const s = sections.find((x) => x.title.startsWith('syscall-loop · sched.ready_delay.p99'))!;
    expect(s.rows[0]!.slice(0, 7)).toEqual(['', 'n', 'min', 'p25', 'median', 'p75', 'max']);
    expect(s.rows[0]![7]).toMatch(/^samples \(990 ns … 1.16 µs\)$/);
    expect(s.rows[1]!.slice(0, 2)).toEqual(['baseline', '10']);
    expect(s.rows[1]![4]).toBe('1.00\u00a0µs');
    expect(s.rows[2]!.slice(0, 2)).toEqual(['current', '10']);
    expect(s.rows[2]![4]).toBe('1.14\u00a0µs');
    expect(Array.from(s.rows[1]![7]!)).toHaveLength(24);
    expect(Array.from(s.rows[2]![7]!)).toHaveLength(24);
    // The current side sits at the right of the shared scale, the baseline at the left, the edge between.
    expect(s.rows[1]![7]).toMatch(/^[▃▅▇█].*┊.*·$/);
    expect(s.rows[2]![7]).toMatch(/^[·┊]+[▃▅▇█][▃▅▇█·]*[▃▅▇█]$/);
  });

  test('a regression downgraded by a baseline of another machine class is shown with its warning', () => {
    const r = sampleReport();
    const m = r.scenarios[0]!.metrics.find((x) => x.verdict?.status === 'regression')!;
    if (m.verdict?.status !== 'regression') throw new Error('sample changed');
    m.verdict = { ...m.verdict, status: 'pass', warning: 'would be a regression: +14.2%, but the baseline comes from another machine class (kernelRelease: 6.1 -> 6.18)' };
    const titles = samplesSections(cmarkGfm(renderMarkdown(r, { variant: 'summary' }))).map((s) => s.title);
    expect(titles.find((t) => t.startsWith('syscall-loop · sched.ready_delay.p99'))).toContain('✅ pass +14.2% vs baseline, tolerance +10%, ⚠️ would be a regression');
  });

  test('an A/B run calls the sides base and head', () => {
    const r: Report = { ...sampleReport(), ab: { seed: 1, rounds: { min: 4, max: 12 }, test: 'signed-rank', sides: { base: { dir: '/b', env: {} }, head: { dir: '/h', env: {} } }, scenarios: [] } };
    const blocks = distributionBlocks(gatedItems(r), sidesOf(r));
    expect(blocks[0]!.text).toContain('| base | 10 |');
    expect(blocks[0]!.text).toContain('| head | 10 |');
    expect(blocks[0]!.text).toContain('vs base');
  });

  test('names stay text', () => {
    const r = sampleReport();
    const awkward = r.scenarios.find((s) => s.name === AWKWARD)!;
    const gated = awkward.metrics.find((m) => m.gated && m.baseline)!;
    gated.verdict = { status: 'regression', change: 0.5, ci: [0.4, 0.6], pValue: 0.001, adjustedP: 0.002, mde: 0.1, message: 'x' };
    const md = renderMarkdown(r, { variant: 'summary' });
    const unsafe = cmarkGfm(md, true);
    expect(htmlText(unsafe)).toContain(`${AWKWARD} · ${gated.name} (`);
    expect(unsafe).not.toContain('<&"');
  });
});

describe('the collectors', () => {
  test('are written once per report, saying which scenarios a row or note is about when not all', () => {
    const md = renderMarkdown(sampleReport(), { variant: 'summary' });
    expect(md.match(/\| Collector \| Enabled \|/g)).toHaveLength(1);
    const tables = htmlTables(cmarkGfm(md)).filter((t) => t[0]![0] === 'Collector');
    expect(tables[0]![0]).toEqual(['Collector', 'Enabled', 'Availability', 'Fix', 'Disables', 'Scenarios']);
    expect(tables[0]!.find((r) => r[0] === 'proc')![5]).toBe('all');
    expect(htmlText(cmarkGfm(md))).toContain('ebpf: syscalls timed 1 in 1 (syscall-loop');
  });
});
