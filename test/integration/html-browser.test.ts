// report.html of a real run opened in Debian's Chromium: no console errors, no request
// leaving the page, every figure drawn, the tables there without JavaScript, a screenshot
// kept for CI; core locality of cpu-oversubscribed's workers read from the drawn map, and
// the per-thread-group table of a real run of kdelta-groups (collect.ebpf.threads); the slowest
// system calls of a real run and a real A/B run of kdelta-slowcall, started under a hostile name.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SchedTimeline } from '../../src/run/timeline.js';
import { renderHtml } from '../../src/report/html/render.js';
import { binPath, repoRoot, requireBuild, tempDir } from '../cli/support.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';

// Debian's chromium by default; KDELTA_CHROMIUM names another Chromium-based browser (GitHub's runners have Chrome).
const CHROMIUM = process.env['KDELTA_CHROMIUM'] ?? '/usr/bin/chromium';
const artifacts = resolve(process.env['KDELTA_ARTIFACTS'] ?? join(repoRoot, 'reports', 'artifacts'));

let dir: { path: string; remove: () => Promise<void> };
let browser: Browser;
let run: { status: number | null; stderr: string };
let groupsRun: { status: number | null; stderr: string };
let abRun: { status: number | null; stderr: string };
let eventsRun: { status: number | null; stderr: string };
let eventsAbRun: { status: number | null; stderr: string };

/** A thread name that is markup (within the kernel's 15 bytes, no slash): the kernel names the process after the file it executed, here a link to kdelta-slowcall. */
const HOSTILE_COMM = '<b id=pwn>x';

/** kdelta-slowcall (one 5 ms nanosleep from kdelta_slow_call between 20,000 fast calls each side) with slow-call events, under the hostile name. */
function slowCallScenario(folder: string): string {
  const exe = join(folder, HOSTILE_COMM);
  symlinkSync(join(repoRoot, 'helpers', 'bin', 'kdelta-slowcall'), exe);
  const file = join(folder, 'slow-calls.yaml');
  writeFileSync(
    file,
    `name: html-slow-calls
description: ${JSON.stringify('<img src=x id=pwn2> slow calls')}
workload:
  command: [${JSON.stringify(exe)}, "1", "5", "20000"]
repetitions: 2
warmup: 0
collect:
  proc: false
  ebpf: { ready_delay: false, irq: false, syscalls: { events: { over: 3ms, max: 5, stacks: true } } }
  require: [events]
gate:
  metrics:
    workload.wall_time: { tolerance: 50% }
`,
  );
  return file;
}

function kdelta(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [binPath, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  return { status: r.status, stderr: r.stderr };
}

beforeAll(async () => {
  requireBuild();
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  dir = await tempDir('kdelta-html-browser-');
  run = kdelta(['run', 'scenarios/', '--scenario', 'cpu-oversubscribed', '--scenario', 'loopback-net', '--repetitions', '3', '--warmup', '0', '--out', join(dir.path, 'run')]);
  groupsRun = kdelta(['run', 'test/fixtures/html/groups.yaml', '--out', join(dir.path, 'groups')]);
  abRun = kdelta(['ab', 'test/fixtures/html/groups.yaml', '--rounds', '5:5', '--warmup', '0', '--out', join(dir.path, 'ab')]);
  const slow = slowCallScenario(dir.path);
  eventsRun = kdelta(['run', slow, '--out', join(dir.path, 'events')]);
  eventsAbRun = kdelta(['ab', slow, '--rounds', '5:5', '--warmup', '0', '--out', join(dir.path, 'events-ab')]);
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${join(dir.path, 'profile')}`],
  });
}, 360_000);

afterAll(async () => {
  await browser?.close();
  await dir?.remove();
});

interface Opened {
  page: Page;
  errors: string[];
  foreignRequests: string[];
}

async function open(file: string, javascript = true): Promise<Opened> {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(javascript);
  await page.setViewport({ width: 1200, height: 900 });
  const errors: string[] = [];
  const foreignRequests: string[] = [];
  const url = pathToFileURL(file).href;
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (req) => {
    if (req.url() !== url) foreignRequests.push(req.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, foreignRequests };
}

/** Per figure: its kind, and the drawn size and number of shapes of its SVG. */
async function figures(page: Page): Promise<Array<{ kind: string; width: number; height: number; shapes: number }>> {
  return page.$$eval('[data-figure]', (els) =>
    els.map((el) => {
      const svg = el.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      return {
        kind: el.getAttribute('data-figure') ?? '',
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        shapes: svg ? svg.querySelectorAll('rect, circle, line, path').length : 0,
      };
    }),
  );
}

const reportHtml = () => join(dir.path, 'run', 'report.html');

describe('report.html of a real run in Chromium', () => {
  test('the run of cpu-oversubscribed and loopback-net writes report.html beside report.json', () => {
    expect(run.stderr).not.toMatch(/kdelta bug|internal error/i);
    expect([0, 1]).toContain(run.status);
    expect(statSync(reportHtml()).size).toBeGreaterThan(10_000);
  });

  test('the page opens with no console error and asks for nothing outside itself', async () => {
    const { page, errors, foreignRequests } = await open(reportHtml());
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    await page.close();
  });

  test('every figure is drawn: an SVG with a size and shapes in it', async () => {
    const { page } = await open(reportHtml());
    const figs = await figures(page);
    const kinds = new Set(figs.map((f) => f.kind));
    for (const k of ['strip', 'histogram', 'irq-time', 'heat-irq-cpu', 'heat-arch-cpu', 'heat-softirq-cpu', 'heat-switches-cpu', 'heat-locality', 'heat-runtime-group-core', 'ready-delay-slots']) expect(kinds).toContain(k);
    expect(figs.filter((f) => f.width < 50 || f.height < 20 || f.shapes === 0)).toEqual([]);
    await page.close();
  });

  test('the interrupt heat maps have a row for each CPU of this machine', async () => {
    const report = unfoldReport(JSON.parse(readFileSync(join(dir.path, 'run', 'report.json'), 'utf8')) as StoredReport);
    const cpus = report.scenarios[0]!.cpuSeries![0]!.cpus.length;
    const { page } = await open(reportHtml());
    const rows = await page.$$eval('[data-figure="heat-arch-cpu"] svg text.label', (els) => [...new Set(els.map((e) => e.textContent))]);
    expect(rows).toHaveLength(cpus);
    await page.close();
  });

  test('without JavaScript the verdict table and the value tables are all there', async () => {
    const { page } = await open(reportHtml(), false);
    const verdictRows = await page.$$eval('table.verdicts tbody tr', (rows) => rows.length);
    const fallbacks = await page.$$eval('figure details table', (t) => t.length);
    const figs = await page.$$eval('figure[data-figure]', (f) => f.length);
    expect(verdictRows).toBe(4);
    expect(fallbacks).toBe(figs);
    await page.close();
  });

  test('a screenshot of the whole page is kept as an artifact', async () => {
    const { page } = await open(reportHtml());
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, 'report-html.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(20_000);
    await page.close();
  });
});

describe('report.html of kdelta compare in Chromium', () => {
  test('compare writes report.html with the baseline samples and the tolerance band in every strip plot', async () => {
    const runReport = join(dir.path, 'run', 'report.json');
    const out = join(dir.path, 'compare');
    const r = spawnSync(process.execPath, [binPath, 'compare', runReport, runReport, '--out', out], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const { page, errors } = await open(join(out, 'report.html'));
    const strips = await page.$$eval('[data-figure="strip"] svg', (svgs) => svgs.map((s) => ({ baseline: s.querySelectorAll('circle').length, band: s.querySelectorAll('rect.band').length })));
    expect(errors).toEqual([]);
    expect(strips).toHaveLength(4);
    expect(strips).toEqual(strips.map(() => ({ baseline: 3, band: 1 })));
    await page.close();
  });
});

describe('the scheduling timeline in Chromium (synthetic timeline on the real report)', () => {
  test('core locality shows the workers on every CPU of a 4-CPU, 2-node machine, one drawn map per thread group with 1% of the on-CPU time', async () => {
    const report = unfoldReport(JSON.parse(readFileSync(join(dir.path, 'run', 'report.json'), 'utf8')) as StoredReport);
    report.scenarios[0]!.timeline = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/html/timeline.json'), 'utf8')) as SchedTimeline[];
    const file = join(dir.path, 'timeline.html');
    writeFileSync(file, renderHtml(report));
    const { page, errors } = await open(file);
    const maps = await page.$$eval('section.scenario:nth-of-type(1) [data-figure="heat-locality"]', (els) =>
      els.map((el) => ({
        caption: el.querySelector('figcaption')?.textContent ?? '',
        busyCpus: [...new Set([...el.querySelectorAll('svg rect title')].map((t) => t.textContent ?? '').filter((t) => !/: 0%$/.test(t)).map((t) => t.split(' (')[0]))].filter((t) => t?.startsWith('CPU')),
      })),
    );
    expect(errors).toEqual([]);
    expect(maps.map((m) => m.caption.split(':')[0])).toEqual(['Core locality of worker*', 'Core locality of main']);
    expect(maps[0]!.busyCpus.sort()).toEqual(['CPU 0', 'CPU 1', 'CPU 2', 'CPU 3']);
    const figs = await figures(page);
    for (const k of ['heat-switches-cpu', 'heat-runtime-group-core', 'heat-switches-group-core', 'ready-delay-slots']) expect(figs.map((f) => f.kind)).toContain(k);
    expect(figs.filter((f) => f.width < 50 || f.height < 20 || f.shapes === 0)).toEqual([]);
    await page.screenshot({ path: join(artifacts, 'report-html-timeline.png'), fullPage: true });
    await page.close();
  });
});

const readReport = (name: string) => unfoldReport(JSON.parse(readFileSync(join(dir.path, name, 'report.json'), 'utf8')) as StoredReport);

/** Per core-locality map of one scenario's section: its caption and, per CPU row, the summed share its cells' titles give. */
async function localityMaps(page: Page, scenario: string): Promise<Array<{ caption: string; perCpu: Record<string, number> }>> {
  return page.$$eval(
    'section.scenario',
    (sections, name) => {
      const section = sections.find((s) => s.querySelector('h2')?.textContent?.startsWith(`${name} `));
      return [...(section?.querySelectorAll('[data-figure="heat-locality"]') ?? [])].map((fig) => {
        const perCpu: Record<string, number> = {};
        for (const t of fig.querySelectorAll('svg rect title')) {
          const m = /^(CPU \d+)[^:]*: ([\d.]+)%$/.exec(t.textContent ?? '');
          if (m) perCpu[m[1]!] = (perCpu[m[1]!] ?? 0) + Number(m[2]);
        }
        return { caption: fig.querySelector('figcaption')?.textContent ?? '', perCpu };
      });
    },
    scenario,
  );
}

describe('the real scheduling timeline of cpu-oversubscribed in Chromium', () => {
  test('report.json holds a bounded timeline for every repetition of cpu-oversubscribed', () => {
    const s = readReport('run').scenarios.find((x) => x.name === 'cpu-oversubscribed')!;
    expect(s.timeline?.map((t) => t.repetition)).toEqual([1, 2, 3]);
    for (const t of s.timeline!) {
      expect(t.slots).toBeGreaterThan(0);
      expect(t.slots).toBeLessThanOrEqual(200);
      expect(t.cpus).toEqual([0, 1]);
    }
  });

  test('the core-locality heat map shows the workers (stress-ng-cpu) on CPU 0 and on CPU 1', async () => {
    const { page, errors } = await open(reportHtml());
    const maps = await localityMaps(page, 'cpu-oversubscribed');
    expect(errors).toEqual([]);
    expect(maps[0]?.caption).toMatch(/^Core locality of stress-ng-cpu: /);
    const workers = maps[0]!.perCpu;
    expect(Object.keys(workers).sort()).toEqual(['CPU 0', 'CPU 1']);
    expect(workers['CPU 0']).toBeGreaterThan(0);
    expect(workers['CPU 1']).toBeGreaterThan(0);
    const figs = (await figures(page)).map((f) => f.kind);
    for (const k of ['heat-switches-cpu', 'heat-runtime-group-core', 'heat-switches-group-core', 'ready-delay-slots']) expect(figs).toContain(k);
    await page.close();
  });
});

describe('the per-thread-group table of a real kdelta-groups run in Chromium', () => {
  test('the run with collect.ebpf.threads and the timeline writes report.html', () => {
    expect(groupsRun.stderr).not.toMatch(/kdelta bug|internal error/i);
    expect([0, 1]).toContain(groupsRun.status);
  });

  test("alpha* and beta* each have a row, the busy group first, and the per-call tables hold the program's exact syscall counts", async () => {
    const { page, errors } = await open(join(dir.path, 'groups', 'report.html'));
    const rows = await page.$$eval('table.thread-groups tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '')));
    const details: Record<string, string[][]> = await page.$$eval('details.group-detail', (ds) =>
      Object.fromEntries(ds.map((d) => [(d.querySelector('summary')?.textContent ?? '').split(':')[0], [...d.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? ''))])),
    );
    expect(errors).toEqual([]);
    const names = rows.map((r) => r[0]);
    expect(names.slice(0, 2)).toEqual(['alpha*', 'beta*']);
    // Columns: group, syscalls count/total/max, run count/total/min/max, ready count/total/max, hard IRQ count/time, soft IRQ count/time.
    for (const r of rows.slice(0, 2)) expect(r).toHaveLength(15);
    const call = (group: string, name: string) => details[group]?.find((r) => r[0] === name);
    expect(call('alpha*', 'getppid')?.slice(0, 3)).toEqual(['getppid', '110', '40,000']);
    expect(call('beta*', 'geteuid')?.slice(0, 3)).toEqual(['geteuid', '107', '40,200']);
    expect(call('beta*', 'nanosleep')?.slice(0, 3)).toEqual(['nanosleep', '35', '1']);
    expect(call('beta*', 'nanosleep')?.[4]).toMatch(/^\d+(\.\d+)? ms$/);
    const figs = await figures(page);
    for (const k of ['thread-time', 'heat-locality', 'heat-runtime-group-core']) expect(figs.map((f) => f.kind)).toContain(k);
    expect(figs.filter((f) => f.width < 50 || f.height < 20 || f.shapes === 0)).toEqual([]);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report-html-thread-groups.png'), fullPage: true });
    await page.close();
  });

  test('without JavaScript the thread-group table and its per-call tables are all there', async () => {
    const { page } = await open(join(dir.path, 'groups', 'report.html'), false);
    const rows = await page.$$eval('table.thread-groups tbody tr', (trs) => trs.length);
    const callTables = await page.$$eval('details.group-detail table', (t) => t.length);
    expect(rows).toBeGreaterThanOrEqual(2);
    expect(callTables).toBeGreaterThanOrEqual(2);
    await page.close();
  });
});

describe('report.html of a real kdelta ab run in Chromium', () => {
  test('base and head side each get their own drawn heat maps, from their own repetitions', async () => {
    expect(abRun.stderr).not.toMatch(/kdelta bug|internal error/i);
    expect([0, 1]).toContain(abRun.status);
    const { page, errors } = await open(join(dir.path, 'ab', 'report.html'));
    const sides = await page.$$eval('h4.side', (hs) => hs.map((h) => h.textContent));
    const captions = await page.$$eval('[data-figure="heat-locality"] figcaption', (cs) => cs.map((c) => (c.textContent ?? '').replace(/^Core locality of ([^:]+):.*, (base|head) side, .*$/, '$2 $1')));
    expect(errors).toEqual([]);
    expect(sides).toEqual(['base side', 'head side']);
    expect(captions).toContain('base alpha*');
    expect(captions).toContain('head alpha*');
    const figs = await figures(page);
    expect(figs.filter((f) => f.kind === 'heat-irq-cpu')).toHaveLength(2);
    expect(figs.filter((f) => f.width < 50 || f.height < 20 || f.shapes === 0)).toEqual([]);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report-html-ab.png'), fullPage: true });
    await page.close();
  });
});

/** Per row of the slow-call tables of a side (`run`, `base`, `head`): its cells' text and its stack frames. */
async function eventRows(page: Page, side: string): Promise<Array<{ cells: string[]; frames: string[] }>> {
  return page.$$eval(`table.events[data-side="${side}"] tr[data-event]`, (trs) =>
    trs.map((tr) => ({ cells: [...tr.querySelectorAll(':scope > td')].map((c) => c.textContent ?? ''), frames: [...tr.querySelectorAll('ol.stack li')].map((li) => li.textContent ?? '') })),
  );
}

/** What a hostile name or description would have made, had it been read as markup. */
async function injected(page: Page): Promise<string[]> {
  return page.$$eval('#pwn, #pwn2, table.events b, table.events img, script', (els) => els.map((e) => e.outerHTML));
}

describe('the slowest system calls of a real kdelta-slowcall run in Chromium', () => {
  test('the run under a hostile name writes report.html', () => {
    expect(eventsRun.stderr).not.toMatch(/kdelta bug|internal error/i);
    expect([0, 1]).toContain(eventsRun.status);
  });

  test('the 5 ms nanosleep has a row with its thread and duration, and a stack frame naming kdelta_slow_call', async () => {
    const { page, errors, foreignRequests } = await open(join(dir.path, 'events', 'report.html'));
    const rows = await eventRows(page, 'run');
    expect(errors).toEqual([]);
    expect(foreignRequests).toEqual([]);
    const sleeps = rows.filter((r) => r.cells[3] === 'nanosleep');
    // One per repetition; columns: repetition, at, thread (pid/tid), syscall, duration, stacks.
    expect(sleeps.map((r) => r.cells[0]).sort()).toEqual(['1', '2']);
    // The loader reads a process's maps while it runs; one that ended first under load keeps bare addresses.
    expect(sleeps.some((r) => r.frames.some((f) => /kdelta_slow_call\+0x[0-9a-f]+ \(/u.test(f)))).toBe(true);
    for (const r of sleeps) {
      expect(r.cells[2]).toMatch(/^<b id=pwn>x \(\d+\/\d+\)$/u);
      // At least the 5 ms asked for; later on a loaded machine, where the wake-up waits for a CPU.
      expect(Number(/^([\d.]+) ms$/u.exec(r.cells[4] ?? '')?.[1])).toBeGreaterThanOrEqual(5);
      expect(r.frames.length).toBeGreaterThan(0);
    }
    expect(await injected(page)).toEqual([]);
    expect(await page.$eval('section.scenario p', (p) => p.textContent)).toBe('<img src=x id=pwn2> slow calls');
    await page.close();
  });

  test('the stacks are folded away until opened, and are there without JavaScript', async () => {
    const { page } = await open(join(dir.path, 'events', 'report.html'), false);
    const closed = await page.$$eval('table.events details.stacks', (ds) => ds.map((d) => d.hasAttribute('open')));
    expect(closed.length).toBeGreaterThanOrEqual(2);
    expect(closed.every((o) => !o)).toBe(true);
    // A closed <details> skips its content's rendering: the frames are in the DOM, not drawn.
    const shown = () => page.$eval('table.events ol.stack li', (li) => li.checkVisibility());
    expect(await shown()).toBe(false);
    await page.click('table.events details.stacks summary');
    expect(await shown()).toBe(true);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'report-html-events.png'), fullPage: true });
    await page.close();
  });

  test('an A/B run lists each side apart, both with the nanosleep and its stack, nothing injected', async () => {
    expect(eventsAbRun.stderr).not.toMatch(/kdelta bug|internal error/i);
    expect([0, 1]).toContain(eventsAbRun.status);
    const { page, errors } = await open(join(dir.path, 'events-ab', 'report.html'));
    expect(errors).toEqual([]);
    for (const side of ['base', 'head']) {
      const sleeps = (await eventRows(page, side)).filter((r) => r.cells[3] === 'nanosleep');
      expect(sleeps.map((r) => r.cells[0]).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect(sleeps.some((r) => r.frames.some((f) => f.includes('kdelta_slow_call+0x'))), side).toBe(true);
    }
    expect(await injected(page)).toEqual([]);
    await page.close();
  });
});
