import { Ajv } from 'ajv';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { bmfMeasure, toBmf } from '../../src/report/export/bmf.js';
import { CSV_COLUMNS, csvText } from '../../src/report/export/csv.js';
import { toBenchmarkResults } from '../../src/report/export/github-action-benchmark.js';
import { exportRows } from '../../src/report/export/rows.js';
import type { Report } from '../../src/report/types.js';
import { reportJsonText } from '../../src/report/write.js';
import { runCli, tempDir } from '../cli/support.js';
import { metric, sampleReport } from './sample.js';

const FIXTURES = join(__dirname, '../fixtures/export');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
const bmfSchema = ajv.compile(fixture('bmf.schema.json') as object);
const gabSchema = ajv.compile(fixture('github-action-benchmark.schema.json') as object);

/** The sample report plus one metric of each kind the mappings treat apart. */
function report(): Report {
  const r = sampleReport();
  r.scenarios[0]!.metrics.push(
    metric('workload.ops_per_sec', [100, 110, 105], { unit: '1/s', better: 'higher', gated: true }),
    metric('sched.cgroup_pressure.some', [3, 4, 5], { unit: 'µs', better: 'lower', gated: true }),
  );
  return r;
}

describe('what is exported', () => {
  test('gated metrics with samples by default, every metric with samples with all', () => {
    const r = report();
    const gated = exportRows(r, { all: false });
    const all = exportRows(r, { all: true });
    const expectGated = r.scenarios.flatMap((s) => s.metrics.filter((m) => m.gated && m.samples.length > 0).map((m) => `${s.name}/${m.name}`));
    expect(gated.map((x) => `${x.scenario}/${x.metric}`)).toEqual(expectGated);
    expect(all.length).toBe(r.scenarios.flatMap((s) => s.metrics.filter((m) => m.samples.length > 0)).length);
    expect(all.length).toBeGreaterThan(gated.length);
  });
});

describe('Bencher Metric Format', () => {
  test('the documented example validates against the published schema (the check can pass)', () => {
    expect(bmfSchema(fixture('bmf.example.json'))).toBe(true);
    expect(bmfSchema({ b: { latency: { lower_value: 1 } } })).toBe(false);
  });

  test('kdelta\'s export validates, with Measure names within 64 characters', () => {
    const bmf = toBmf(report(), { all: true });
    expect(bmfSchema(bmf), JSON.stringify(bmfSchema.errors)).toBe(true);
    for (const [benchmark, measures] of Object.entries(bmf)) {
      expect(benchmark.length).toBeLessThanOrEqual(1024);
      for (const m of Object.keys(measures)) expect(m.length).toBeLessThanOrEqual(64);
    }
  });

  test('a lower-is-better time is latency in ns, a rate where higher is better is throughput, the rest a Measure named by unit and direction', () => {
    expect(bmfMeasure({ unit: 'ns', better: 'lower' })).toEqual({ measure: 'latency', factor: 1 });
    expect(bmfMeasure({ unit: 'µs', better: 'lower' })).toEqual({ measure: 'latency', factor: 1000 });
    expect(bmfMeasure({ unit: 'ms', better: 'higher' })).toEqual({ measure: 'ns-higher-is-better', factor: 1e6 });
    expect(bmfMeasure({ unit: '1/s', better: 'higher' })).toEqual({ measure: 'throughput', factor: 1 });
    expect(bmfMeasure({ unit: '1', better: 'lower' })).toEqual({ measure: 'count-lower-is-better', factor: 1 });
    expect(bmfMeasure({ unit: 'ratio', better: 'lower' })).toEqual({ measure: 'ratio-lower-is-better', factor: 1 });
  });

  test('the value is the median in the Measure\'s unit, bounded by the minimum and maximum', () => {
    const bmf = toBmf(report(), { all: false });
    const name = Object.keys(bmf).find((k) => k.endsWith('/sched.cgroup_pressure.some'))!;
    expect(bmf[name]).toEqual({ latency: { value: 4000, lower_value: 3000, upper_value: 5000 } });
  });
});

describe('github-action-benchmark', () => {
  test('the action\'s own test data validates against the schema written from its interface (the check can pass)', () => {
    expect(gabSchema(fixture('customSmallerIsBetter.example.json'))).toBe(true);
    expect(gabSchema([])).toBe(false);
  });

  test('each direction gives a valid file of only its metrics, and together they hold every metric', () => {
    const r = report();
    const lower = toBenchmarkResults(r, { all: true, direction: 'lower' });
    const higher = toBenchmarkResults(r, { all: true, direction: 'higher' });
    for (const f of [lower, higher]) expect(gabSchema(f.results), JSON.stringify(gabSchema.errors)).toBe(true);
    const rows = exportRows(r, { all: true });
    expect(lower.results.map((x) => x.name)).toEqual(rows.filter((x) => x.better === 'lower').map((x) => `${x.scenario}/${x.metric}`));
    expect(lower.results.length + higher.results.length).toBe(rows.length);
    expect(lower.otherDirection).toBe(higher.results.length);
  });

  test('the value is the median in the metric\'s unit, a count\'s unit reads count', () => {
    const { results } = toBenchmarkResults(report(), { all: true, direction: 'lower' });
    const count = results.find((x) => x.name.endsWith('/sched.ready_delay.count'))!;
    expect(count).toMatchObject({ unit: 'count', value: 50_000 });
    expect(count.range).toMatch(/^± [0-9.e+]+$/);
  });
});

describe('CSV', () => {
  test('Python\'s csv module reads the columns and every row back, hostile names included', () => {
    const r = report();
    r.scenarios[0]!.metrics.push(metric('=HYPERLINK("x"),\n"quoted"', [1, 2, 3], { gated: true }));
    const text = csvText(r, { all: false });
    const parsed = JSON.parse(
      execFileSync('python3', ['-c', 'import csv,io,json,sys; print(json.dumps(list(csv.reader(io.StringIO(sys.stdin.read(), newline="")))))'], { input: text, encoding: 'utf8' }),
    ) as string[][];
    expect(parsed[0]).toEqual([...CSV_COLUMNS]);
    const rows = exportRows(r, { all: false });
    expect(parsed.slice(1).map((row) => row[1])).toEqual(rows.map((x) => (x.metric.startsWith('=') ? `'${x.metric}` : x.metric)));
    for (const [i, row] of parsed.slice(1).entries()) {
      expect(row).toHaveLength(CSV_COLUMNS.length);
      expect(Number(row[4])).toBe(rows[i]!.summary.median);
      expect(Number(row[9])).toBe(rows[i]!.n);
    }
  });
});

describe('kdelta export', () => {
  async function withReport<T>(fn: (dir: string, path: string) => Promise<T>): Promise<T> {
    const dir = await tempDir('kdelta-export-');
    const path = join(dir.path, 'report.json');
    await writeFile(path, reportJsonText(report()));
    try {
      return await fn(dir.path, path);
    } finally {
      await dir.remove();
    }
  }

  test('writes BMF to stdout', async () => {
    await withReport(async (_dir, path) => {
      const r = await runCli(['export', '--format', 'bmf', path]);
      expect(r.code).toBe(0);
      expect(bmfSchema(JSON.parse(r.stdout))).toBe(true);
    });
  });

  test('writes github-action-benchmark to --out and says what it left out', async () => {
    await withReport(async (dir, path) => {
      const out = join(dir, 'bench.json');
      const r = await runCli(['export', '--format', 'github-action-benchmark', '--all', '--out', out, path]);
      expect(r.code).toBe(0);
      expect(gabSchema(JSON.parse(readFileSync(out, 'utf8')))).toBe(true);
      expect(r.stderr).toMatch(/higher is better left out: export them with --direction higher for customBiggerIsBetter/);
    });
  });

  test('an unknown format, a baseline instead of a report, or nothing to export is bad input (exit 2)', async () => {
    await withReport(async (dir, path) => {
      expect((await runCli(['export', '--format', 'xml', path])).code).toBe(2);
      const baseline = join(__dirname, '../../baselines');
      const some = execFileSync('find', [baseline, '-name', '*.json'], { encoding: 'utf8' }).split('\n')[0]!;
      const b = await runCli(['export', '--format', 'csv', some]);
      expect(b.code).toBe(2);
      expect(b.stderr).toContain('this is a baseline, not a report');
      const empty = report();
      for (const s of empty.scenarios) for (const m of s.metrics) m.gated = false;
      await writeFile(join(dir, 'empty.json'), reportJsonText(empty));
      const e = await runCli(['export', '--format', 'csv', join(dir, 'empty.json')]);
      expect(e.code).toBe(2);
      expect(e.stderr).toContain('pass --all');
    });
  });
});
