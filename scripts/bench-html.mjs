// report.html benchmark (npm run bench:html [report.json]): how big the page is and how long
// Debian's Chromium takes to open it, against a blank page opened the same way. Conditions are
// interleaved round by round in one browser, each open on a fresh page; medians are printed.
// "Open" is from the navigation request to the first frame painted after the load event.
// Default input: reports/latest/report.json (run `node bin/kdelta.js run --repetitions 3` first).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const root = new URL('../', import.meta.url);
const { renderHtml } = await import(new URL('dist/report/html/render.js', root).href);
const { unfoldReport } = await import(new URL('dist/report/compact.js', root).href);
const input = resolve(process.argv[2] ?? join(new URL('reports/latest/report.json', root).pathname));
const rounds = Number(process.env.BENCH_ROUNDS ?? 9);

// report.json is stored compact (summaries left out, baseline samples once per scenario): read it as kdelta does.
const report = unfoldReport(JSON.parse(readFileSync(input, 'utf8')));
const work = mkdtempSync(join(tmpdir(), 'kdelta-bench-html-'));
const renderTimes = [];
let html = '';
for (let i = 0; i < rounds; i++) {
  const t0 = performance.now();
  html = renderHtml(report);
  renderTimes.push(performance.now() - t0);
}
const page = join(work, 'report.html');
const blank = join(work, 'blank.html');
writeFileSync(page, html);
writeFileSync(blank, '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>blank</title></head><body><p>blank</p></body></html>');

const browser = await puppeteer.launch({
  executablePath: process.env.KDELTA_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(work, 'profile')}`],
});

/** Opens `file` on a fresh page: ms to the first frame after load, and the browser's own DOMContentLoaded and load times. */
async function open(file) {
  const tab = await browser.newPage();
  await tab.setViewport({ width: 1200, height: 900 });
  const t0 = performance.now();
  await tab.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  await tab.evaluate(() => new Promise((r) => globalThis.requestAnimationFrame(() => globalThis.requestAnimationFrame(r))));
  const total = performance.now() - t0;
  const nav = await tab.evaluate(() => {
    const n = performance.getEntriesByType('navigation')[0];
    return { dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd };
  });
  await tab.close();
  return { total, ...nav };
}

const times = { page: [], blank: [] };
await open(blank); // the first page of a browser pays for its start-up; not counted
for (let i = 0; i < rounds; i++) {
  const order = i % 2 === 0 ? ['page', 'blank'] : ['blank', 'page'];
  for (const c of order) times[c].push(await open(c === 'page' ? page : blank));
}
await browser.close();
rmSync(work, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${x.toFixed(0)} ms`;
const pick = (c, k) => median(times[c].map((t) => t[k]));
const figures = report.scenarios.reduce((n, s) => n + s.metrics.length, 0);
const withTimeline = report.scenarios.filter((s) => (s.timeline ?? []).length > 0).length;

console.log(`report.html of ${input}: ${report.scenarios.length} scenarios (${withTimeline} with the eBPF timeline), ${figures} metrics, ${report.scenarios[0]?.repetitions ?? 0} repetitions; report.json ${(statSync(input).size / 1024).toFixed(0)} KiB`);
console.log('');
console.log(`| measure (median of ${rounds}) | report.html | blank page | difference |`);
console.log('| --- | ---: | ---: | ---: |');
console.log(`| size | ${(Buffer.byteLength(html) / 1024).toFixed(0)} KiB (${Buffer.byteLength(html).toLocaleString("en-US")} bytes) | - | - |`);
console.log(`| render in Node (renderHtml) | ${ms(median(renderTimes))} | - | - |`);
for (const [k, what] of [['dcl', 'DOMContentLoaded'], ['load', 'load event'], ['total', 'open to first frame after load']]) {
  const a = pick('page', k);
  const b = pick('blank', k);
  console.log(`| ${what} | ${ms(a)} | ${ms(b)} | ${ms(a - b)} |`);
}
