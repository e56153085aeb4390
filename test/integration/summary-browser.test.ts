// summary.md and comment.md as GitHub shows them: rendered by cmark-gfm with GitHub's
// extensions, opened in headless Chromium, and checked on the DOM, for a run with a
// regression, inconclusive checks, baselines from another machine class and a comment cut to
// its size. The run is decided by the real engine from recorded samples (the golden compare
// fixtures and the recorded suite report), not written as Markdown by hand. Screenshots are
// kept in $KDELTA_ARTIFACTS (default reports/artifacts) for CI to upload.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { BaselineMatch } from '../../src/baselines/types.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { buildReport, evaluateRuns } from '../../src/report/evaluate.js';
import { gatedItems, itemStatus } from '../../src/report/items.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { baselineFromSaved, readBaselineOrReport, runFromReport } from '../../src/report/saved.js';
import type { Report, ScenarioReport } from '../../src/report/types.js';
import { repoRoot, tempDir } from '../cli/support.js';

// Debian's chromium by default; KDELTA_CHROMIUM names another Chromium-based browser (GitHub's runners have Chrome).
const CHROMIUM = process.env['KDELTA_CHROMIUM'] ?? '/usr/bin/chromium';
const GOLDEN = join(repoRoot, 'test/fixtures/compare-golden/mixed');
const SUITE = join(repoRoot, 'test/fixtures/report/suite-r10.json.gz');
const artifacts = resolve(process.env['KDELTA_ARTIFACTS'] ?? join(repoRoot, 'reports', 'artifacts'));
/** Text a scenario description carries into the page: it must arrive as text, never as markup. */
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> @octocat';
const OTHER_MACHINE = ['kernelRelease: 6.1.0-28-amd64 -> 6.18.44-fc-v657'];

/** The baseline a scenario of the recorded suite was compared with, as if from another machine class. */
function suiteBaseline(s: ScenarioReport, report: Report, mismatch: string[]): BaselineMatch {
  const metrics: BaselineMatch['baseline']['metrics'] = {};
  for (const m of s.metrics) if (m.baseline) metrics[m.name] = { unit: m.unit, better: m.better, samples: m.baseline.samples };
  return {
    path: s.baseline?.path ?? 'baselines/recorded.json',
    baseline: { schemaVersion: 1, scenario: s.name, workloadHash: '', machine: 'x86_64-2cpu-1node-amd-epyc', metrics, environment: report.environment, provenance: { commit: null, time: report.startedAt, reason: 'recorded', kdeltaVersion: report.kdeltaVersion } },
    mismatch,
    stale: false,
  };
}

/** The golden mixed run (a regression, a broken limit, inconclusives, a failed workload) and the recorded suite, two of its baselines from another machine class. */
async function buildRun(): Promise<Report> {
  const base = await readBaselineOrReport(join(GOLDEN, 'base.json'));
  const current = await readBaselineOrReport(join(GOLDEN, 'current.json'));
  if (current.kind !== 'report') throw new Error('the golden current.json is not a report');
  const env = current.report.environment;
  const runs: Array<{ run: Awaited<ReturnType<typeof runFromReport>>['run']; baseline: BaselineMatch | null }> = [];
  for (const s of current.report.scenarios) runs.push({ run: (await runFromReport(s)).run, baseline: baselineFromSaved(base, s.name, null, env) });
  const suite = unfoldReport(JSON.parse(gunzipSync(readFileSync(SUITE)).toString('utf8')) as StoredReport);
  for (const s of suite.scenarios.filter((x) => !runs.some((r) => r.run.scenario.name === x.name))) {
    const { run } = await runFromReport(s);
    const mismatch = s.name === 'hackbench-pipe' || s.name === 'cpu-oversubscribed' ? OTHER_MACHINE : [];
    if (s.name === 'hackbench-pipe') run.scenario = { ...run.scenario, description: `${run.scenario.description} ${HOSTILE}` };
    runs.push({ run, baseline: suiteBaseline(s, suite, mismatch) });
  }
  const { scenarios, family } = evaluateRuns(runs, 42);
  return buildReport('browser-run', new Date(current.report.startedAt), env, scenarios, family, new Date(suite.endedAt));
}

/** As GitHub renders a comment or a step summary: GFM with its extensions, raw HTML passed through the tag filter. */
function githubHtml(markdown: string): string {
  const body = execFileSync('cmark-gfm', ['-e', 'table', '-e', 'autolink', '-e', 'strikethrough', '-e', 'tagfilter', '--unsafe'], { input: markdown, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const css = [
    'body{margin:0;background:#fff}',
    '.markdown-body{box-sizing:border-box;width:880px;padding:16px 24px;font:14px/1.5 -apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;color:#1f2328}',
    'table{border-collapse:collapse;margin:0 0 16px}th,td{border:1px solid #d1d9e0;padding:4px 10px}',
    'code,pre{font-family:ui-monospace,SFMono-Regular,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:85%}',
    'code{background:#eff1f3;padding:.1em .3em;border-radius:4px}pre{background:#f6f8fa;padding:12px;overflow:auto}',
    'blockquote{margin:0 0 16px;padding:0 1em;border-left:.25em solid #d1d9e0;color:#59636e}',
  ].join('');
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body><article class="markdown-body">${body}</article></body></html>`;
}

let dir: { path: string; remove: () => Promise<void> };
let browser: Browser;
let report: Report;
const pages: Record<'summary' | 'comment', { md: string; page: Page | null }> = { summary: { md: '', page: null }, comment: { md: '', page: null } };

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = await tempDir('kdelta-summary-browser-');
  report = await buildRun();
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir.path, 'profile')}`],
  });
  for (const variant of ['summary', 'comment'] as const) {
    const md = renderMarkdown(report, { variant });
    const page = await browser.newPage();
    await page.setViewport({ width: 880, height: 900 });
    // Requests are refused: the page must not need any, and an injected image must not load.
    await page.setRequestInterception(true);
    page.on('request', (r) => void (r.url().startsWith('data:') || r.url() === 'about:blank' ? r.continue() : r.abort()));
    await page.setContent(githubHtml(md), { waitUntil: 'load' });
    pages[variant] = { md, page };
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await dir?.remove();
});

const pageOf = (variant: 'summary' | 'comment'): Page => pages[variant].page!;

/** The failed checks' sections on the page: title, then the first cell of each row of the table after it. */
async function samplesOnPage(page: Page): Promise<Array<{ title: string; sides: string[]; strips: number[] }>> {
  return page.$$eval('article > p > strong', (strongs) =>
    strongs
      .map((s) => ({ p: s.parentElement!, title: s.textContent ?? '' }))
      .filter(({ p }) => p.nextElementSibling?.tagName === 'TABLE' && (p.nextElementSibling.querySelector('th:nth-child(4)')?.textContent ?? '') === 'p25')
      .map(({ p, title }) => {
        const rows = [...p.nextElementSibling!.querySelectorAll('tbody tr')];
        return {
          title,
          sides: rows.map((r) => r.querySelector('td')?.textContent ?? ''),
          strips: rows.map((r) => r.querySelector('td:last-child code')?.getBoundingClientRect().width ?? -1),
        };
      }),
  );
}

describe('summary.md and comment.md in Chromium, rendered as GitHub does', () => {
  test('the run has what the page must show: a regression, inconclusives, baselines of another machine class, a cut comment', () => {
    const statuses = gatedItems(report).map(itemStatus);
    expect(statuses).toContain('regression');
    expect(statuses).toContain('inconclusive');
    expect(report.scenarios.filter((s) => (s.baseline?.mismatch.length ?? 0) > 0).map((s) => s.name).sort()).toEqual(['cpu-oversubscribed', 'hackbench-pipe']);
    expect(pages.comment.md.length).toBeLessThan(65_000);
    expect(pages.comment.md).toContain('Cut to keep this comment under 65,000 characters');
  });

  for (const variant of ['summary', 'comment'] as const) {
    test(`${variant}.md: the headline table, the machine-class warning and the <details> blocks are there`, async () => {
      const page = pageOf(variant);
      const head = await page.$$eval('article > table:first-of-type thead th', (ths) => ths.map((t) => t.textContent));
      expect(head).toEqual(['Scenario', 'Metric', 'Baseline (median)', 'Current (median)', 'Tolerance', 'Change [95% CI]', 'Verdict']);
      const rows = await page.$$eval('article > table:first-of-type tbody tr', (trs) => trs.map((t) => [...t.querySelectorAll('td')].map((d) => d.textContent)));
      expect(rows.find((r) => r[6] === '❌ regression')?.slice(0, 2)).toEqual(['syscall-mix', 'syscall.write.p50']);
      const quotes = await page.$$eval('blockquote', (bs) => bs.map((b) => b.textContent ?? ''));
      const withBaseline = report.scenarios.filter((s) => s.baseline !== null).length;
      expect(withBaseline).toBeGreaterThan(5);
      expect(quotes.find((q) => q.includes('another machine class'))).toContain(`2 of ${withBaseline} baselines come from another machine class: kernelRelease: 6.1.0-28-amd64 -> 6.18.44-fc-v657`);
      const summaries = await page.$$eval('details > summary', (ss) => ss.map((s) => s.textContent ?? ''));
      expect(summaries.length).toBeGreaterThan(0);
      if (variant === 'summary') {
        expect(summaries).toContain('Environment');
        expect(summaries).toContain('Collectors');
        expect(summaries.filter((s) => s === 'Collectors')).toHaveLength(1);
        expect(summaries.some((s) => s.startsWith('❌ syscall-mix · regression'))).toBe(true);
        expect(summaries.some((s) => /^Kernel distributions \(\d+\)$/.test(s))).toBe(true);
      }
    });

    test(`${variant}.md: every check that did not pass has its samples beside the baseline's, or the cut note names it`, async () => {
      const page = pageOf(variant);
      const shown = await samplesOnPage(page);
      const note = (await page.$$eval('blockquote', (bs) => bs.map((b) => b.textContent ?? ''))).find((q) => q.includes('Cut to keep')) ?? '';
      const failed = gatedItems(report).filter((i) => ['regression', 'limit-exceeded', 'inconclusive', 'improvement'].includes(itemStatus(i)) && (i.metric?.samples.length ?? 0) > 0);
      expect(failed.length).toBeGreaterThan(5);
      for (const item of failed) {
        const label = `${item.scenario.name} · ${item.metric!.name}`;
        const section = shown.find((s) => s.title === label);
        if (section === undefined) {
          expect(variant, `${label} is neither shown nor named as cut`).toBe('comment');
          expect(note).toContain(label);
          continue;
        }
        expect(section.sides).toEqual(item.metric!.baseline ? ['baseline', 'current'] : ['current']);
        // Both strips on one scale: the same width on the page, so their cells line up.
        expect(Math.abs(section.strips[0]! - section.strips.at(-1)!)).toBeLessThan(1);
      }
      const regression = shown.find((s) => s.title === 'syscall-mix · syscall.write.p50');
      expect(regression?.sides).toEqual(['baseline', 'current']);
      // Only the checks that did not pass: no syscall histogram of an unrelated metric in this section.
      expect(shown.every((s) => failed.some((i) => `${i.scenario.name} · ${i.metric!.name}` === s.title))).toBe(true);
    });

    test(`${variant}.md: no markup from the input made it into the page`, async () => {
      const page = pageOf(variant);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(await page.$$('article script, article img, article iframe, article style')).toHaveLength(0);
      const tags = await page.$$eval('article *', (els) => [...new Set(els.map((e) => e.tagName.toLowerCase()))]);
      const allowed = ['h2', 'h3', 'p', 'a', 'strong', 'em', 'code', 'pre', 'ul', 'li', 'blockquote', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'details', 'summary', 'b', 'br'];
      expect(tags.filter((t) => !allowed.includes(t))).toEqual([]);
      if (variant === 'summary') {
        const text = await page.$eval('article', (a) => a.textContent ?? '');
        expect(text).toContain('<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">');
        expect(text).toContain('stress-ng: info:  [4242] unsuccessful run completed in 0.02s | <b>*bold*</b>');
      }
      // A mention is broken, so GitHub would not notify anyone.
      expect(await page.$$eval('a', (as) => as.filter((a) => (a.textContent ?? '').startsWith('@')).length)).toBe(0);
    });
  }

  test('comment.md: the cut note names the scenarios whose details it cut, and they are indeed not on the page', async () => {
    const page = pageOf('comment');
    const note = (await page.$$eval('blockquote', (bs) => bs.map((b) => b.textContent ?? ''))).find((q) => q.includes('Cut to keep'))!;
    const summaries = await page.$$eval('details > summary', (ss) => ss.map((s) => s.textContent ?? ''));
    const cut = report.scenarios.filter((s) => !summaries.some((t) => t.includes(` ${s.name} · `)));
    expect(cut.length).toBeGreaterThan(0);
    expect(note).toMatch(new RegExp(`the details of ${cut.length} of ${report.scenarios.length} scenarios`));
    for (const s of cut) expect(note).toContain(s.name);
    // The note stands before the cut parts and again at the end.
    expect(pages.comment.md.split('Cut to keep').length - 1).toBe(2);
  });

  test('screenshots of both pages are kept as CI artifacts', async () => {
    mkdirSync(artifacts, { recursive: true });
    for (const variant of ['summary', 'comment'] as const) {
      const shot = join(artifacts, `${variant}-md.png`);
      // A tab in the background is not painted, and its screenshot would wait for a frame forever.
      await pageOf(variant).bringToFront();
      await pageOf(variant).screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
    }
  });
});
