import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { reconcileBaseline, reconcileMeasured } from '../../src/baselines/check.js';
import { stableJson } from '../../src/baselines/store.js';
import type { Baseline, BaselineMatch } from '../../src/baselines/types.js';
import { InputError } from '../../src/errors.js';
import { unitFactor } from '../../src/metrics/units.js';
import { sampleBaseline } from './sample.js';

describe('unitFactor: which units convert, and by how much', () => {
  test.each([
    ['ms', 'ns', 1e6],
    ['s', 'ms', 1e3],
    ['us', 'µs', 1],
    ['MiB', 'B', 1024 ** 2],
    ['B', 'KiB', 1 / 1024],
    ['kB', 'bytes', 1e3],
    ['ops/ms', 'ops/s', 1e3],
    ['1/s', '1/ms', 1e-3],
    ['MiB/s', 'B/s', 1024 ** 2],
    ['1', 'count', 1],
  ])('%s -> %s is x%d', (from, to, factor) => {
    expect(unitFactor(from, to)).toBeCloseTo(factor, 12);
  });

  test.each([
    ['ms', 'B'],
    ['ns', '1'],
    ['ratio', '%'],
    ['ops/s', 'req/s'],
    ['ops/s', 'ops'],
    ['B/s', 'ns'],
    ['widgets', 'gadgets'],
  ])('%s and %s do not convert', (from, to) => {
    expect(unitFactor(from, to)).toBeUndefined();
  });
});

describe('reconcileBaseline: a baseline is checked against the scenario before a verdict reads it', () => {
  let dir: string;
  let path: string;
  const scenario = { name: 'syscall-loop', file: '/repo/scenarios/syscall-loop.yaml' };
  const inMs = sampleBaseline({
    metrics: {
      ...sampleBaseline().metrics,
      'workload.wall_time': { unit: 'ms', better: 'lower', samples: [100, 101, 99] },
      'workload.ops': { unit: 'ops/ms', better: 'higher', samples: [2, 3] },
    },
  });
  const matchOf = (baseline: Baseline): BaselineMatch => ({ path, baseline, mismatch: [], stale: false });
  const thrown = (f: () => unknown): InputError => {
    try {
      f();
    } catch (err) {
      if (err instanceof InputError) return err;
      throw err;
    }
    throw new Error('expected an InputError');
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdelta-check-'));
    path = join(dir, 'syscall-loop.json');
    await writeFile(path, stableJson(inMs));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('once measured: metrics that do not fit are problems with line and fix, taken out; the others converted', () => {
    const r = reconcileMeasured(matchOf(inMs), scenario, [
      { name: 'workload.wall_time', unit: 'ns', better: 'lower' },
      { name: 'workload.ops', unit: 'B', better: 'higher' },
      { name: 'sched.ready_delay.p99', unit: 'ns', better: 'higher' },
    ]);
    expect(r.problems.map((p) => [p.metric, p.file, typeof p.line, p.fix.startsWith('record a new baseline for it: kdelta baseline update /repo/scenarios/syscall-loop.yaml --scenario syscall-loop')])).toEqual([
      ['workload.ops', path, 'number', true],
      ['sched.ready_delay.p99', path, 'number', true],
    ]);
    expect(r.problems[0]?.message).toBe(`baseline metric workload.ops: field "unit" is "ops/ms", which cannot be converted to the scenario's "B"`);
    expect(r.problems[1]?.message).toMatch(/field "better" is "lower"/);
    expect(Object.keys(r.match?.baseline.metrics ?? {}).sort()).toEqual(['syscall.read.count', 'workload.wall_time']);
    expect(r.match?.baseline.metrics['workload.wall_time']?.samples).toEqual([100e6, 101e6, 99e6]);
  });

  test('once measured: a baseline that fits gives no problems and the same result as before the run', () => {
    const metrics = [{ name: 'workload.wall_time', unit: 'ns', better: 'lower' as const }];
    const r = reconcileMeasured(matchOf(inMs), scenario, metrics);
    expect(r.problems).toEqual([]);
    expect(r.match).toEqual(reconcileBaseline(matchOf(inMs), scenario, metrics));
    expect(reconcileMeasured(null, scenario, metrics)).toEqual({ match: null, problems: [] });
  });

  test('commensurable units are converted to the scenario unit, and nothing else changes', () => {
    const out = reconcileBaseline(matchOf(inMs), scenario, [
      { name: 'workload.wall_time', unit: 'ns', better: 'lower' },
      { name: 'workload.ops', unit: 'ops/s', better: 'higher' },
    ]);
    expect(out?.baseline.metrics['workload.wall_time']).toEqual({ unit: 'ns', better: 'lower', samples: [100e6, 101e6, 99e6] });
    expect(out?.baseline.metrics['workload.ops']).toEqual({ unit: 'ops/s', better: 'higher', samples: [2000, 3000] });
    expect(out?.baseline.metrics['syscall.read.count']).toEqual(inMs.metrics['syscall.read.count']);
    // The stored baseline object is not changed under the caller.
    expect(inMs.metrics['workload.wall_time']?.unit).toBe('ms');
  });

  test('units that measure different things are exit 2 naming the file, the line of the field, and the fix', () => {
    const err = thrown(() => reconcileBaseline(matchOf(inMs), scenario, [{ name: 'workload.wall_time', unit: 'B', better: 'lower' }]));
    expect(err.exitCode).toBe(2);
    expect(err.message).toBe(`baseline metric workload.wall_time: field "unit" is "ms", which cannot be converted to the scenario's "B"`);
    expect(err.file).toBe(path);
    const lines = stableJson(inMs).split('\n');
    expect(lines[(err.line ?? 0) - 1]).toContain('"unit": "ms"');
    expect(err.fix).toContain('kdelta baseline update /repo/scenarios/syscall-loop.yaml --scenario syscall-loop');
  });

  test('a flipped direction is exit 2 at its "better" field', () => {
    const err = thrown(() => reconcileBaseline(matchOf(inMs), scenario, [{ name: 'workload.ops', unit: 'ops/ms', better: 'lower' }]));
    expect(err.message).toContain('baseline metric workload.ops: field "better" is "higher"');
    const lines = stableJson(inMs).split('\n');
    expect(lines[(err.line ?? 0) - 1]).toContain('"better": "higher"');
    expect(lines.slice(0, err.line).reverse().find((l) => l.includes(': {'))).toContain('"workload.ops"');
  });

  test('a baseline whose scenario field names another scenario is exit 2 at that field', () => {
    const err = thrown(() => reconcileBaseline(matchOf(inMs), { name: 'other', file: '/repo/s/other.yaml' }, []));
    expect(err.message).toBe('baseline field "scenario" is "syscall-loop", but it is used for scenario "other"');
    expect(stableJson(inMs).split('\n')[(err.line ?? 0) - 1]).toContain('"scenario": "syscall-loop"');
  });

  test('no baseline stays no baseline; metrics only one side has are not checked', () => {
    expect(reconcileBaseline(null, scenario, [])).toBeNull();
    const match = matchOf(inMs);
    expect(reconcileBaseline(match, scenario, [{ name: 'workload.new', unit: 'B', better: 'higher' }])).toBe(match);
  });
});
