#!/usr/bin/env node
// How long adding one suite-sized run to the history takes, PostgreSQL and SQLite.
//
//   npm run bench:history [-- --rounds 7] [-- --against DIST_DIR]
//
// The run is built like a nightly run of the shipped suite: every metric of every scenario's
// baseline (names, units, the gate from scenarios/), samples with 2% noise. With --against,
// the store code of another build (a dist/ folder, e.g. one saved before a change) is measured
// too, in the same rounds: the conditions are interleaved, so load on the machine hits both
// alike. Each round writes a new run id into a fresh database. PostgreSQL is $KDELTA_TEST_PG
// (each bench gets its own database, dropped at the end).
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

const root = new URL('../', import.meta.url);
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const rounds = Number(opt('--rounds', '7'));
const against = opt('--against', null);
const admin = process.env.KDELTA_TEST_PG;
if (!admin) {
  console.error('KDELTA_TEST_PG is not set (postgres://kdelta:kdelta@127.0.0.1:5432/kdelta_test)');
  process.exit(2);
}

const { loadScenarios } = await import(new URL('dist/scenario/load.js', root).href);
const { gatedMetrics } = await import(new URL('dist/compare/gate.js', root).href);
const { mulberry32, standardNormal } = await import(new URL('dist/compare/stats/prng.js', root).href);

const { scenarios } = await loadScenarios([new URL('scenarios/', root).pathname]);
const machineDir = new URL('baselines/', root).pathname;
// The machine class with the most baselines stands for the suite.
const machine = readdirSync(machineDir).filter((d) => !d.startsWith('.')).sort((a, b) => readdirSync(join(machineDir, b)).length - readdirSync(join(machineDir, a)).length)[0];
const suite = scenarios.flatMap((s) => {
  try {
    const b = JSON.parse(readFileSync(join(machineDir, machine, `${s.name}.json`), 'utf8'));
    return [{ name: s.name, baseline: b, gated: gatedMetrics(s.gate, Object.keys(b.metrics)) }];
  } catch {
    return [];
  }
});

function suiteRun(runId) {
  const rnd = mulberry32(7);
  const points = [];
  for (const s of suite) {
    for (const [name, m] of Object.entries(s.baseline.metrics)) {
      const samples = m.samples.map((v) => v * (1 + 0.02 * standardNormal(rnd)));
      const sorted = [...samples].sort((a, c) => a - c);
      const mean = samples.reduce((a, c) => a + c, 0) / samples.length;
      const g = s.gated.get(name);
      points.push({ scenario: s.name, metric: name, unit: m.unit, better: m.better, gated: g !== undefined, tolerance: g ? g.tolerance : null, n: samples.length, median: sorted[Math.floor(sorted.length / 2)], mean, min: sorted[0], max: sorted.at(-1), stddev: 1, samples: g ? samples : null, verdict: g ? 'pass' : null, verdictJson: g ? '{"status":"pass"}' : null });
    }
  }
  const when = new Date().toISOString();
  const fingerprint = JSON.stringify(suite[0]?.baseline.environment ?? {});
  return { runId, startedAt: when, commit: null, commitTime: when, branch: 'main', machine, fingerprint, kdeltaVersion: 'bench', status: 'pass', reportPath: null, points };
}


async function database() {
  const name = `kdelta_bench_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return { name, url: u.toString() };
}

async function dropDatabase(name) {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
  await c.end();
}

const conditions = [{ label: 'this build', dist: resolve(new URL('dist/', root).pathname) }];
if (against) conditions.push({ label: `against ${against}`, dist: resolve(against) });
for (const c of conditions) c.openStore = (await import(new URL(`file://${join(c.dist, 'history/open.js')}`).href)).openStore;

const times = new Map();
const key = (c, backend) => `${c.label}\u0000${backend}`;
const metrics = suiteRun('probe').points.length;
const loads = [];
for (let r = 0; r < rounds; r++) {
  // Alternate the order each round, so neither condition always runs first.
  const order = r % 2 === 0 ? conditions : [...conditions].reverse();
  for (const c of order) {
    for (const backend of ['postgres', 'sqlite']) {
      const db = backend === 'postgres' ? await database() : null;
      const dir = mkdtempSync(join(tmpdir(), 'kdelta-bench-history-'));
      const store = await c.openStore(db ? db.url : join(dir, 'h.sqlite'), dir);
      // A first run creates the series rows; the one measured is a later night, as in use.
      await store.addRun(suiteRun(`first-${r}`));
      const run = suiteRun(`night-${r}`);
      const t0 = performance.now();
      await store.addRun(run);
      const ms = performance.now() - t0;
      await store.close();
      if (db) await dropDatabase(db.name);
      rmSync(dir, { recursive: true, force: true });
      const k = key(c, backend);
      times.set(k, [...(times.get(k) ?? []), ms]);
    }
  }
  loads.push(loadavg()[0]);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
console.log(`\n## history add: one suite-sized run (${suite.length} scenarios, ${metrics} metrics), ${rounds} rounds\n`);
console.log('| build | backend | median ms | min ms | max ms |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const c of conditions) {
  for (const backend of ['postgres', 'sqlite']) {
    const t = times.get(key(c, backend));
    console.log(`| ${c.label} | ${backend} | ${median(t).toFixed(0)} | ${Math.min(...t).toFixed(0)} | ${Math.max(...t).toFixed(0)} |`);
  }
}
console.log(`\nload average (1 min) during the rounds: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`);
