import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { findBaselines } from '../../src/baselines/find.js';
import { stableJson } from '../../src/baselines/store.js';
import type { Baseline } from '../../src/baselines/types.js';
import { InputError } from '../../src/errors.js';
import { readBaselineOrReport } from '../../src/report/saved.js';
import type { Report } from '../../src/report/types.js';
import { loadScenarios } from '../../src/scenario/load.js';
import { repoRoot, runCli, tempDir } from '../cli/support.js';
import { environment, sampleBaseline } from './sample.js';

// A baseline of syscall-mix (another machine class, so its regression is a warning) and a report of it.
const CASE = join(repoRoot, 'test/fixtures/compare-golden/mismatch');

/** report.json as kdelta reads it back (baseline samples are stored once per scenario). */
async function reportAt(dir: string): Promise<Report> {
  const saved = await readBaselineOrReport(join(dir, 'report.json'));
  if (saved.kind !== 'report') throw new Error('not a report');
  return saved.report;
}

describe('kdelta compare checks the baseline against the report it is compared with', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  let original: Baseline;
  beforeEach(async () => {
    tmp = await tempDir('kdelta-cmpcheck-');
    original = JSON.parse(await readFile(join(CASE, 'base.json'), 'utf8')) as Baseline;
  });
  afterEach(() => tmp.remove());

  async function compareWith(baseline: unknown, current = join(CASE, 'current.json')): Promise<{ code: number; stderr: string; out: string; path: string }> {
    const path = join(tmp.path, 'base.json');
    await writeFile(path, stableJson(baseline));
    const out = join(tmp.path, 'out');
    const r = await runCli(['compare', path, current, '--out', out]);
    return { code: r.code, stderr: r.stderr, out, path };
  }

  test('a baseline of another scenario is exit 2, not "no-baseline" and a pass', async () => {
    const r = await compareWith({ ...original, scenario: 'other-scenario' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${r.path}: a baseline of scenario "other-scenario", but the current report measured "syscall-mix": nothing to compare`);
    expect(r.stderr).toContain('fix: ');
  });

  test('a base report that shares no scenario with the current one is exit 2', async () => {
    const current = JSON.parse(await readFile(join(CASE, 'current.json'), 'utf8')) as { scenarios: Array<{ name: string }> };
    const other = { ...current, scenarios: current.scenarios.map((s) => ({ ...s, name: 'renamed' })) };
    const otherPath = join(tmp.path, 'other-report.json');
    await writeFile(otherPath, JSON.stringify(other));
    const r = await runCli(['compare', otherPath, join(CASE, 'current.json'), '--out', join(tmp.path, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a report of "renamed", but the current report measured "syscall-mix"');
  });

  test('a report with zero scenarios to compare is an input error, not a pass', async () => {
    const current = JSON.parse(await readFile(join(CASE, 'current.json'), 'utf8')) as Record<string, unknown>;
    const empty = join(tmp.path, 'empty.json');
    await writeFile(empty, JSON.stringify({ ...current, scenarios: [] }));
    const r = await runCli(['compare', join(CASE, 'base.json'), empty, '--out', join(tmp.path, 'out')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the report has no scenarios: there is nothing to compare');
  });

  test('a baseline recorded in ms is converted: the same verdicts as the one in ns, and the same exit code', async () => {
    const wall = original.metrics['workload.wall_time']!;
    const inNs = await compareWith(original);
    const nsReport = await reportAt(inNs.out);
    const inMs = await compareWith({ ...original, metrics: { ...original.metrics, 'workload.wall_time': { ...wall, unit: 'ms', samples: wall.samples.map((v) => v / 1e6) } } });
    const msReport = await reportAt(inMs.out);
    expect(inMs.code).toBe(inNs.code);
    const wallOf = (r: Report) => r.scenarios[0]?.metrics.find((m) => m.name === 'workload.wall_time');
    expect(wallOf(msReport)?.verdict).toEqual(wallOf(nsReport)?.verdict);
    expect(wallOf(msReport)?.baseline?.samples.map(Math.round)).toEqual(wall.samples);
  });

  test('a unit that does not convert is exit 2 naming the file, the line of the field and the fix', async () => {
    const wall = original.metrics['workload.wall_time']!;
    const r = await compareWith({ ...original, metrics: { ...original.metrics, 'workload.wall_time': { ...wall, unit: 'B' } } });
    expect(r.code).toBe(2);
    const line = stableJson({ ...original, metrics: { ...original.metrics, 'workload.wall_time': { ...wall, unit: 'B' } } })
      .split('\n')
      .findIndex((l, i, all) => l.includes('"unit": "B"') && all.slice(0, i).reverse().find((x) => x.endsWith(': {'))?.includes('"workload.wall_time"'));
    expect(r.stderr).toContain(`${r.path}:${line + 1}:`);
    expect(r.stderr).toContain(`baseline metric workload.wall_time: field "unit" is "B", which cannot be converted to the scenario's "ns"`);
    expect(r.stderr).toMatch(/fix: record a new baseline for it: kdelta baseline update \S*syscall-mix\.yaml --scenario syscall-mix/);
  });

  test('a flipped direction is exit 2', async () => {
    const wall = original.metrics['workload.wall_time']!;
    const r = await compareWith({ ...original, metrics: { ...original.metrics, 'workload.wall_time': { ...wall, better: 'higher' } } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('baseline metric workload.wall_time: field "better" is "higher", but the scenario measures it as better lower');
  });
});

describe('kdelta run reads each baseline before measuring and refuses one that does not fit', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir('kdelta-findcheck-');
  });
  afterEach(() => tmp.remove());

  async function find(baseline: Baseline): Promise<unknown> {
    const { scenarios } = await loadScenarios([join(repoRoot, 'test/fixtures/cli/valid/quick.yaml')]);
    await mkdir(join(tmp.path, 'm'));
    await writeFile(join(tmp.path, 'm', 'quick.json'), stableJson(baseline));
    return findBaselines(scenarios, tmp.path, 'm', environment).then(
      (found) => found.get('quick'),
      (err: unknown) => err,
    );
  }

  test('a file under the scenario name whose "scenario" field names another is exit 2 at that field', async () => {
    const err = await find(sampleBaseline({ scenario: 'syscall-loop', machine: 'm' }));
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toBe('baseline field "scenario" is "syscall-loop", but it is used for scenario "quick"');
    expect((err as InputError).line).toBe(stableJson(sampleBaseline({ machine: 'm' })).split('\n').findIndex((l) => l.includes('"scenario"')) + 1);
  });

  test('workload.wall_time in ms is converted before the run; in bytes it is exit 2', async () => {
    const base = sampleBaseline({ scenario: 'quick', machine: 'm' });
    const wall = { unit: 'ms', better: 'lower' as const, samples: [1, 2] };
    const found = (await find({ ...base, metrics: { ...base.metrics, 'workload.wall_time': wall } })) as { baseline: Baseline };
    expect(found.baseline.metrics['workload.wall_time']).toEqual({ unit: 'ns', better: 'lower', samples: [1e6, 2e6] });
    await tmp.remove();
    tmp = await tempDir('kdelta-findcheck-');
    const err = await find({ ...base, metrics: { ...base.metrics, 'workload.wall_time': { ...wall, unit: 'B' } } });
    expect(err).toBeInstanceOf(InputError);
  });
});
