import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { baselineFromMetrics, baselineFromRun, workloadHash } from '../../src/baselines/store.js';
import { describeUpdate } from '../../src/report/baseline-diff.js';
import { readBaselineOrReport, samplesOf } from '../../src/report/saved.js';
import { InputError } from '../../src/errors.js';
import type { GateSpec, Scenario } from '../../src/scenario/types.js';
import { sampleReport } from '../report/sample.js';
import { BASE, environment, sampleBaseline } from './sample.js';

const gate: GateSpec = {
  alpha: 0.05,
  tolerance: 0.05,
  correction: 'holm',
  test: 'mann-whitney',
  metrics: { 'workload.wall_time': { tolerance: 0.05, alpha: 0.05 }, 'sched.*': { tolerance: 0.05, alpha: 0.05 } },
  limits: [],
  requireSameMachine: false,
};

describe('baselineFromRun / baselineFromMetrics', () => {
  test('keeps metrics with samples, hashes the workload relative to the scenario file', () => {
    const scenario: Pick<Scenario, 'name' | 'file' | 'workload'> = {
      name: 'pingpong',
      file: '/repo/scenarios/pingpong.yaml',
      workload: { kind: 'builtin', name: 'pipe-pingpong', threads: 1, durationMs: 1000, count: 1000, cpu: null, timeoutMs: 1000, metrics: [] },
    };
    const b = baselineFromRun(
      {
        scenario,
        metrics: [
          { name: 'workload.wall_time', unit: 'ns', better: 'lower', samples: [1, 2, 3] },
          { name: 'sched.ready_delay.p99', unit: 'ns', better: 'lower', samples: [] },
        ],
      },
      { machine: 'm', environment, reason: 'test', commit: null, time: '2026-11-21T23:00:00.000Z' },
    );
    expect(Object.keys(b.metrics)).toEqual(['workload.wall_time']);
    expect(b.workloadHash).toBe(workloadHash(scenario.workload, '/repo/scenarios'));
    expect(b.provenance.kdeltaVersion).toMatch(/^\d+\.\d+\.\d+/);
    expect(b.provenance.time).toBe('2026-11-21T23:00:00.000Z');
  });

  test('baselineFromMetrics copies the samples rather than sharing the run arrays', () => {
    const samples = [1, 2, 3];
    const b = baselineFromMetrics({ scenario: 's', workloadHash: 'a'.repeat(64), machine: 'm', metrics: [{ name: 'x.y', unit: '1', better: 'higher', samples }], environment, provenance: sampleBaseline().provenance });
    samples.push(4);
    expect(b.metrics['x.y']?.samples).toEqual([1, 2, 3]);
  });
});

describe('describeUpdate', () => {
  test('a first baseline says it is new, with its size', () => {
    expect(describeUpdate(null, sampleBaseline({ provenance: { ...sampleBaseline().provenance, reason: 'initial' } }))).toBe(
      'baseline syscall-loop on x86_64-2cpu-1node-intel-xeon: new, 3 metrics, 10 repetitions (reason: initial)\n',
    );
  });

  test('an update lists each gated metric with the gate statistics, environment, workload and metric changes', () => {
    const old = sampleBaseline();
    const next = sampleBaseline({
      workloadHash: 'b'.repeat(64),
      environment: { ...environment, kernelRelease: '6.19.0' },
      metrics: {
        'workload.wall_time': { unit: 'ns', better: 'lower', samples: BASE.map((v) => v * 1.1e6).reverse() },
        'sched.ready_delay.p99': old.metrics['sched.ready_delay.p99']!,
        'irq.imbalance': { unit: 'ratio', better: 'lower', samples: [0.1, 0.2] },
      },
      provenance: { ...old.provenance, reason: 'accept slower syscalls', time: '2026-11-22T00:00:00.000Z' },
    });
    const text = describeUpdate(old, next, { gate });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'baseline syscall-loop on x86_64-2cpu-1node-intel-xeon: update of the baseline recorded 2026-11-21T22:00:00.000Z (first baseline), reason: accept slower syscalls',
    );
    expect(text).toContain('  workload definition changed (aaaaaaaaaaaa -> bbbbbbbbbbbb)');
    expect(text).toContain('  environment: kernelRelease: 6.18.0 -> 6.19.0');
    expect(text).toContain('  gated metrics, new vs old (holm, family of 2):');
    expect(text).toMatch(/ {4}regression {3}100ms -> 110ms {2}workload\.wall_time \+10\.0% \[/);
    expect(text).toMatch(/ {4}pass {9}100us -> 100us {2}sched\.ready_delay\.p99 \+0\.0%/);
    expect(text).toContain('  added: irq.imbalance');
    expect(text).toContain('  removed: syscall.read.count');
  });

  test('ungated metrics only show when they changed significantly', () => {
    const old = sampleBaseline();
    const next = sampleBaseline({ metrics: { ...old.metrics, 'syscall.read.count': { unit: '1', better: 'lower', samples: BASE.map((v) => Math.round(v * 20)) } } });
    const text = describeUpdate(old, next, { gate });
    expect(text).toContain('  ungated metrics: 1 of 1 changed beyond 5% (alpha 0.05, holm over 1)');
    expect(text).toMatch(/ {4}regression {3}syscall\.read\.count \+100%/);
  });
});

describe('readBaselineOrReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kdelta-source-'));

  test('reads a baseline file', async () => {
    const r = await readBaselineOrReport(new URL('../fixtures/baselines/valid.json', import.meta.url).pathname);
    expect(r.kind).toBe('baseline');
    expect(Object.keys(samplesOf(r, 'syscall-loop'))).toEqual(['sched.ready_delay.p99', 'workload.wall_time']);
    expect(() => samplesOf(r, 'other')).toThrow(/baseline is for scenario "syscall-loop", not "other"/);
  });

  test('reads a report.json and takes one scenario\'s samples by name', async () => {
    const path = join(dir, 'report.json');
    const report = sampleReport();
    writeFileSync(path, JSON.stringify(report));
    const r = await readBaselineOrReport(path);
    expect(r.kind).toBe('report');
    const name = report.scenarios[0]!.name;
    const metrics = samplesOf(r, name);
    const first = report.scenarios[0]!.metrics.find((m) => m.samples.length > 0)!;
    expect(metrics[first.name]?.samples).toEqual(first.samples);
    expect(() => samplesOf(r)).toThrow(/report has 3 scenarios/);
    expect(() => samplesOf(r, 'nope')).toThrow(/report has no scenario "nope"/);
  });

  test('an invalid report, a corrupt file and a missing file are exit-2 errors naming the file', async () => {
    const bad = join(dir, 'bad-report.json');
    writeFileSync(bad, JSON.stringify({ ...sampleReport(), schemaVersion: 7 }));
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"runId": ');
    for (const [path, message] of [
      [bad, /report does not match schemas\/report.schema.json: \/schemaVersion/],
      [corrupt, /not valid JSON/],
      [join(dir, 'missing.json'), /no such file/],
    ] as const) {
      const err = await readBaselineOrReport(path).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).exitCode).toBe(2);
      expect((err as InputError).where).toBe(path);
      expect((err as InputError).message).toMatch(message);
    }
    expect(readFileSync(corrupt, 'utf8')).toBe('{"runId": ');
  });
});
