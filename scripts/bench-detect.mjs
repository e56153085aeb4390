// Change-point benchmark (npm run bench:detect): precision and recall of `kdelta history detect`'s
// method (dist/history/edivisive.js) on synthetic series with known change points, printed as
// Markdown tables. Fixed seeds: the same build prints the same tables.
//
// A series is 1e6 * level * (1 + noise * N(0,1)) per run. Kinds: one step; three steps (at least
// 15 runs apart, alternating up and down); a linear drift over 40% of the series (the truth is its
// start and end; any change point inside the drift counts as true, one within 2 runs of either end as
// a hit); pure noise with 1% outliers at x1.5 (no truth: every change point is false). A detected
// change point is a hit when it lies within 2 runs of a true one.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const root = new URL('../', import.meta.url);
const target = new URL('dist/history/edivisive.js', root);
if (!existsSync(target)) {
  console.error('bench-detect: dist/ is missing; building with tsc -p tsconfig.build.json');
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    // tsc exits non-zero on a type error anywhere but still emits.
  }
}
const { changePoints } = await import(target.href);
const { mulberry32, standardNormal } = await import(new URL('dist/compare/stats/prng.js', root).href);

const TRIALS = Number(process.env.TRIALS ?? 40);

function series(random, n, noise, levelAt, outliers = 0) {
  const x = [];
  for (let i = 0; i < n; i++) {
    let v = 1e6 * levelAt(i) * (1 + noise * standardNormal(random));
    if (outliers > 0 && random() < outliers) v *= 1.5;
    x.push(v);
  }
  return x;
}

function steps(random, n, shift, count) {
  const taus = [];
  for (let tries = 0; taus.length < count && tries < 1000; tries++) {
    const t = Math.floor(n * 0.15 + random() * n * 0.7);
    if (taus.every((u) => Math.abs(u - t) >= 15)) taus.push(t);
  }
  taus.sort((a, b) => a - b);
  const level = (i) => taus.reduce((l, t, k) => (i >= t ? l * (k % 2 === 0 ? 1 + shift : 1 - shift) : l), 1);
  return { taus, level };
}

function score(found, taus, inside = () => false) {
  const hit = taus.filter((t) => found.some((f) => Math.abs(f - t) <= 2)).length;
  const trueFound = found.filter((f) => taus.some((t) => Math.abs(f - t) <= 2) || inside(f)).length;
  return { hit, truth: taus.length, trueFound, found: found.length };
}

function cell(kind, n, noise, shift, seed) {
  const random = mulberry32(seed);
  let s = { hit: 0, truth: 0, trueFound: 0, found: 0 };
  for (let t = 0; t < TRIALS; t++) {
    let x;
    let r;
    if (kind === 'noise+outliers') {
      x = series(random, n, noise, () => 1, 0.01);
      r = score(changePoints(x).map((c) => c.index), []);
    } else if (kind === 'drift') {
      const a = Math.floor(n * 0.3);
      const b = Math.floor(n * 0.7);
      x = series(random, n, noise, (i) => (i < a ? 1 : i >= b ? 1 + shift : 1 + (shift * (i - a)) / (b - a)));
      r = score(changePoints(x).map((c) => c.index), [a, b], (f) => f > a && f < b);
      // A drift is found when anything is found in or at its ends; count it once.
      r = { hit: r.trueFound > 0 ? 1 : 0, truth: 1, trueFound: r.trueFound, found: r.found };
    } else {
      const { taus, level } = steps(random, n, shift, kind === 'one step' ? 1 : 3);
      x = series(random, n, noise, level);
      r = score(changePoints(x).map((c) => c.index), taus);
    }
    s = { hit: s.hit + r.hit, truth: s.truth + r.truth, trueFound: s.trueFound + r.trueFound, found: s.found + r.found };
  }
  return s;
}

const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : 'n/a');
console.log(`## Change points: recall and precision (${TRIALS} series a cell)\n`);
console.log('| kind | runs | noise | shift | shift/noise | recall | precision | false per 500 runs |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
let seed = 1;
const targets = [];
for (const kind of ['one step', 'three steps', 'drift', 'noise+outliers']) {
  for (const n of [30, 100, 500]) {
    if (kind === 'three steps' && n < 100) continue;
    for (const noise of [0.01, 0.03, 0.1]) {
      const shifts = kind === 'noise+outliers' ? [0] : [0.02, 0.05, 0.1, 0.2];
      for (const shift of shifts) {
        const s = cell(kind, n, noise, shift, seed++);
        const falsePer500 = ((s.found - s.trueFound) / (TRIALS * n)) * 500;
        const ratio = shift / noise;
        if (kind !== 'noise+outliers' && kind !== 'drift' && ratio >= 5) targets.push({ what: `recall ${kind} n=${n} noise=${noise} shift=${shift}`, ok: s.hit / s.truth >= 0.9 });
        if (kind === 'noise+outliers') targets.push({ what: `false points n=${n} noise=${noise}`, ok: falsePer500 <= 1 });
        console.log(`| ${kind} | ${n} | ${pct(noise)} | ${pct(shift)} | ${shift ? ratio.toFixed(1) : '-'} | ${s.truth ? pct(s.hit / s.truth) : '-'} | ${s.found ? pct(s.trueFound / s.found) : '-'} | ${falsePer500.toFixed(2)} |`);
      }
    }
  }
}

// Time: 500 runs x 100 metrics, each with two steps, as `detect` sees them.
const random = mulberry32(99);
const metrics = Array.from({ length: 100 }, () => series(random, 500, 0.03, (i) => (i >= 200 ? 1.1 : 1) * (i >= 400 ? 0.95 : 1)));
const times = [];
for (let round = 0; round < 5; round++) {
  const t0 = performance.now();
  for (const x of metrics) changePoints(x);
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`\n## Time\n\n500 runs x 100 metrics: median of 5 rounds ${(times[2] / 1000).toFixed(2)} s (min ${(times[0] / 1000).toFixed(2)} s, max ${(times[4] / 1000).toFixed(2)} s)\n`);
const failed = targets.filter((t) => !t.ok);
console.log(failed.length ? `targets missed:\n${failed.map((t) => `- ${t.what}`).join('\n')}` : `all ${targets.length} targets met (recall >= 90% at shift >= 5x noise; <= 1 false change point per 500 runs of noise)`);
if (times[2] > 5000 || failed.length) process.exitCode = 1;

// Size: a year of nightly runs of the shipped suite on one machine class, in SQLite. Metric names,
// units and the gate come from scenarios/ and baselines/; values are the baseline's samples with noise.
{
  const { readdirSync, readFileSync, statSync, mkdtempSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { openStore } = await import(new URL('dist/history/open.js', root).href);
  const { loadScenarios } = await import(new URL('dist/scenario/load.js', root).href);
  const { gatedMetrics } = await import(new URL('dist/compare/gate.js', root).href);
  const machineDir = new URL('baselines/', root).pathname;
  const machine = readdirSync(machineDir).find((d) => !d.startsWith('.'));
  const { scenarios } = await loadScenarios([new URL('scenarios/', root).pathname]);
  const suite = scenarios.map((s) => {
    const b = JSON.parse(readFileSync(join(machineDir, machine, `${s.name}.json`), 'utf8'));
    return { s, metrics: Object.entries(b.metrics), gated: gatedMetrics(s.gate, Object.keys(b.metrics)) };
  });
  const dir = mkdtempSync(join(tmpdir(), 'kdelta-year-'));
  const path = join(dir, 'history.sqlite');
  const store = await openStore(path, dir);
  const rnd = mulberry32(5);
  const fp = JSON.stringify(JSON.parse(readFileSync(join(machineDir, machine, `${suite[0].s.name}.json`), 'utf8')).environment);
  const t0 = performance.now();
  let metricCount = 0;
  for (let day = 0; day < 365; day++) {
    const when = new Date(Date.UTC(2026, 0, 1) + day * 86_400_000).toISOString();
    const points = [];
    for (const { s, metrics, gated } of suite) {
      for (const [name, m] of metrics) {
        const samples = m.samples.map((v) => v * (1 + 0.02 * standardNormal(rnd)));
        const sorted = [...samples].sort((a, b) => a - b);
        const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
        const g = gated.get(name);
        points.push({ scenario: s.name, metric: name, unit: m.unit, better: m.better, gated: g !== undefined, tolerance: g ? g.tolerance : null, n: samples.length, median: sorted[Math.floor(sorted.length / 2)], mean, min: sorted[0], max: sorted.at(-1), stddev: Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, samples.length - 1)), samples: g ? samples : null, verdict: g ? 'pass' : null, verdictJson: g ? JSON.stringify({ status: 'pass', change: 0.001, ci: [-0.01, 0.012], pValue: 0.5, adjustedP: 1, mde: 0.03, message: `${name} +0.1% [-1.0%, +1.2%] vs baseline, tolerance +5%, p=1 (holm, family of 30): pass` }) : null });
      }
    }
    metricCount = points.length;
    await store.addRun({ runId: `year-${day}`, startedAt: when, commit: rnd().toString(16).slice(2).padEnd(40, '0').slice(0, 40), commitTime: when, branch: 'main', machine, fingerprint: fp, kdeltaVersion: 'kdelta bench', status: 'pass', reportPath: `reports/year-${day}/report.json`, points });
  }
  const writeS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const series = await store.series({});
  const readS = (performance.now() - t1) / 1000;
  const t2 = performance.now();
  for (const s of series) changePoints(s.points.map((p) => p.median));
  const detectS = (performance.now() - t2) / 1000;
  await store.close();
  const bytes = ['', '-wal', '-shm'].reduce((sum, ext) => { try { return sum + statSync(path + ext).size; } catch { return sum; } }, 0);
  console.log(`\n## Size of a year\n\n365 nightly runs x ${metricCount} metrics (${suite.length} scenarios, ${suite.reduce((n, x) => n + x.gated.size, 0)} gated): ${(bytes / 1e6).toFixed(1)} MB in SQLite; written in ${writeS.toFixed(1)} s; all ${series.length} series read in ${readS.toFixed(1)} s, detect over them in ${detectS.toFixed(1)} s`);
  rmSync(dir, { recursive: true, force: true });
  if (bytes > 50e6) process.exitCode = 1;
}
