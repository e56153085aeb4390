#!/usr/bin/env node
// A/A check of the scenario suite: records a fresh baseline of the suite into a temporary
// baselines folder, then runs the same suite against it N times and prints, per scenario and
// per run, the verdicts of the gated metrics. Nothing changed between the baseline and the
// runs, so every `regression` is a false alarm; the target is at least 9 runs in 10 with none.
//
//   node scripts/aa-check.mjs [--runs N] [--keep] [paths...]    (default: 10 runs, scenarios/)
//
// Needs `npm run build` first and root (the eBPF capture). Prints the table on stdout,
// kdelta's own progress is kept in each run's folder (stderr.log). Exit 0 when the target is
// met, 1 when it is not, 2 on bad usage or when kdelta itself failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'kdelta.js');
// The baselines go under a fixed class name, so the check does not depend on the slug.
const MACHINE = 'aa-check';
/** Share of clean suite runs the check demands (9 in 10). */
const TARGET = 0.9;
const STATUSES = ['regression', 'improvement', 'inconclusive', 'pass', 'limit-exceeded', 'no-baseline', 'unavailable'];
const SHORT = { regression: 'R', improvement: 'I', inconclusive: '?', pass: 'p', 'limit-exceeded': 'L', 'no-baseline': 'N', unavailable: 'U' };

function usage(message) {
  process.stderr.write(`aa-check: ${message}\nusage: node scripts/aa-check.mjs [--runs N] [--keep] [paths...]\n`);
  process.exitCode = 2;
}

function parseArgs(argv) {
  const options = { runs: 10, keep: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) return { error: `--runs needs a positive integer, got ${argv[i]}` };
      options.runs = n;
    } else if (a === '--keep') options.keep = true;
    else if (a === '-h' || a === '--help') return { error: 'help' };
    else if (a.startsWith('-')) return { error: `unknown option ${a}` };
    else options.paths.push(a);
  }
  if (options.paths.length === 0) options.paths.push(join(ROOT, 'scenarios'));
  return { options };
}

/** Runs the CLI; its stderr (progress) goes to a log file, not to the table. */
function kdelta(args, logFile) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  writeFileSync(logFile, `${r.stderr ?? ''}`);
  return { code: r.status ?? (r.signal ? 128 : 70), stdout: r.stdout ?? '', error: r.error };
}

/** Per scenario: counts of the gated metrics' verdicts, and which metrics regressed. */
function verdictCounts(report) {
  const out = new Map();
  for (const s of report.scenarios) {
    const counts = {};
    const regressed = [];
    for (const m of s.metrics) {
      if (!m.gated || !m.verdict) continue;
      counts[m.verdict.status] = (counts[m.verdict.status] ?? 0) + 1;
      if (m.verdict.status === 'regression' || m.verdict.status === 'limit-exceeded') regressed.push(m.name);
    }
    out.set(s.name, { status: s.status, counts, regressed });
  }
  return out;
}

function cellText(entry) {
  if (!entry) return '-';
  if (entry.status === 'error') return 'ERR';
  return STATUSES.filter((s) => entry.counts[s]).map((s) => `${entry.counts[s]}${SHORT[s]}`).join(' ') || '0';
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function main() {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed.error) return usage(parsed.error);
  const { runs, keep, paths } = parsed.options;
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) return usage('dist/ is missing: run `npm run build` first');

  const work = mkdtempSync(join(tmpdir(), 'kdelta-aa-'));
  const baselines = join(work, 'baselines');
  process.stderr.write(`aa-check: recording the baseline into ${baselines}\n`);
  const t0 = Date.now();
  const base = kdelta(['baseline', 'update', ...paths, '--baselines', baselines, '--machine', MACHINE, '--reason', 'A/A check'], join(work, 'baseline.log'));
  if (base.code !== 0) {
    process.stderr.write(`aa-check: baseline update exited ${base.code} (log: ${join(work, 'baseline.log')})\n`);
    process.exitCode = 2;
    return;
  }
  const baselineSeconds = (Date.now() - t0) / 1000;

  const results = [];
  for (let k = 1; k <= runs; k++) {
    const out = join(work, `run${k}`);
    const started = Date.now();
    const r = kdelta(['run', ...paths, '--baselines', baselines, '--machine', MACHINE, '--out', out], `${out}.stderr.log`);
    const seconds = (Date.now() - started) / 1000;
    const reportFile = join(out, 'report.json');
    if (!existsSync(reportFile)) {
      process.stderr.write(`aa-check: run ${k} exited ${r.code} without a report (log: ${out}.stderr.log)\n`);
      process.exitCode = 2;
      return;
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8'));
    const verdicts = verdictCounts(report);
    const regressions = [...verdicts.values()].reduce((n, v) => n + v.regressed.length, 0);
    results.push({ k, code: r.code, seconds, verdicts, regressions, family: report.family?.size ?? null });
    process.stderr.write(`aa-check: run ${k}/${runs}: exit ${r.code}, ${regressions} regression(s), ${seconds.toFixed(0)} s\n`);
  }

  const scenarios = [...new Set(results.flatMap((r) => [...r.verdicts.keys()]))].sort();
  const rows = [['scenario', ...results.map((r) => `run${r.k}`)]];
  for (const name of scenarios) rows.push([name, ...results.map((r) => cellText(r.verdicts.get(name)))]);
  rows.push(['exit code', ...results.map((r) => String(r.code))]);
  rows.push(['regressions', ...results.map((r) => String(r.regressions))]);
  rows.push(['seconds', ...results.map((r) => r.seconds.toFixed(0))]);
  const clean = results.filter((r) => r.regressions === 0 && r.code === 0).length;
  const lines = [
    `A/A check: ${runs} runs of the suite against a baseline recorded just before (${baselineSeconds.toFixed(0)} s)`,
    `family size per run: ${[...new Set(results.map((r) => r.family))].join(', ')}`,
    '',
    table(rows),
    '',
    `cells: gated-metric verdict counts (${STATUSES.map((s) => `${SHORT[s]} ${s}`).join(', ')}; ERR scenario failed)`,
  ];
  for (const r of results) {
    for (const [name, v] of r.verdicts) if (v.regressed.length) lines.push(`run${r.k} ${name}: ${v.regressed.join(', ')}`);
  }
  lines.push(`runs with no regression: ${clean}/${runs} (target ${Math.ceil(TARGET * runs)}/${runs})`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (keep) process.stderr.write(`aa-check: reports kept in ${work}\n`);
  else rmSync(work, { recursive: true, force: true });
  process.exitCode = clean >= Math.ceil(TARGET * runs) ? 0 : 1;
}

main();
