import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectAll } from '../../src/history/detect.js';
import { writeDashboard } from '../../src/history/dashboard.js';
import { storedRunOf } from '../../src/history/record.js';
import { openStore } from '../../src/history/open.js';
import { repoRoot } from '../cli/support.js';
import { nightlyReports } from '../history/support.js';

// Debian's chromium by default; KDELTA_CHROMIUM names another Chromium-based browser (GitHub's runners have Chrome).
const CHROMIUM = process.env['KDELTA_CHROMIUM'] ?? '/usr/bin/chromium';
let site: string;
let browser: Browser;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kdelta-dashboard-'));
  const store = await openStore(join(dir, 'h.sqlite'), repoRoot);
  for (const r of nightlyReports(40, (i) => (i >= 25 ? 1.15e6 : 1e6))) {
    await store.addRun(storedRunOf(r, { commit: `c0ffee${String(r.runId).slice(4, 8)}`, reportPath: `../reports/${r.runId}/report.json` }));
  }
  const series = await store.series({});
  await store.close();
  site = join(dir, 'site');
  await writeDashboard(site, series, detectAll(series, { window: 5, tolerance: 0.05 }));
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    userDataDir: await mkdtemp(join(tmpdir(), 'kdelta-chromium-')),
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe('the history dashboard in Chromium', () => {
  test('every page opens with no console error and no request off the file system, and every chart is drawn', async () => {
    const pages = (await readdir(site)).filter((f) => f.endsWith('.html'));
    expect(pages.sort()).toEqual(['alpha.html', 'index.html', 'scenario-1.html']);
    for (const file of pages) {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warn') problems.push(`${file}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${file}: ${String(e)}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) problems.push(`${file}: requested ${r.url()}`);
      });
      await page.goto(pathToFileURL(join(site, file)).href, { waitUntil: 'load' });
      const charts = await page.$$eval('svg.chart', (svgs) => svgs.map((s) => ({ w: s.getBoundingClientRect().width, dots: s.querySelectorAll('circle').length, line: (s.querySelector('polyline')?.getAttribute('points') ?? '').length })));
      if (file !== 'index.html') {
        expect(charts).toHaveLength(2);
        for (const c of charts) {
          expect(c.w).toBeGreaterThan(100);
          expect(c.dots).toBe(40);
          expect(c.line).toBeGreaterThan(100);
        }
        expect(await page.$$eval('svg.chart line.cp-bad', (l) => l.length)).toBeGreaterThanOrEqual(1);
        expect(await page.$eval('svg.chart a', (a) => a.getAttribute('href'))).toMatch(/^\.\.\/reports\/2026\d{4}-run\/report\.json$/);
      }
      await page.close();
      expect(problems).toEqual([]);
    }
  });

  test('a scenario name with HTML in it is shown as text, never as markup', async () => {
    const html = await readFile(join(site, 'scenario-1.html'), 'utf8');
    expect(html).toContain('<h1>beta&lt;&amp;&gt;</h1>');
    expect(html).not.toContain('beta<&>');
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(site, 'index.html')).href);
    expect(await page.$$eval('td a', (as) => as.map((a) => a.textContent))).toEqual(['alpha', 'beta<&>']);
    await page.close();
  });
});
