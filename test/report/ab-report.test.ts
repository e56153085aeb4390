import { describe, expect, test } from 'vitest';
import { evaluateAbRuns } from '../../src/report/paired.js';
import { buildReport } from '../../src/report/evaluate.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { baselineFromSaved } from '../../src/report/saved.js';
import type { Report } from '../../src/report/types.js';
import type { AbScenarioRun } from '../../src/run/ab.js';
import type { ScenarioRun } from '../../src/run/types.js';
import type { Scenario } from '../../src/scenario/types.js';
import { mulberry32, standardNormal } from '../../src/compare/stats/prng.js';
import { sampleReport } from './sample.js';
import { xpath } from './helpers.js';

// A kdelta ab report from two synthetic sides: the head's wall time 20% above the base's in
// every one of 12 rounds (1% noise), so the paired comparison calls a regression.

const env = sampleReport().environment;
const scenario: Scenario = {
  name: 'cpu',
  description: 'fixed work',
  file: '/nonexistent/cpu.yaml',
  workload: { kind: 'command', argv: ['true'], env: {}, cwd: '/tmp', timeoutMs: 1000, metrics: [] },
  repetitions: 10,
  warmup: 1,
  collect: { proc: false, ebpf: false, require: [] },
  gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics: { 'workload.wall_time': { tolerance: 0.05, alpha: 0.05 } }, limits: [], requireSameMachine: false },
};

function side(samples: number[]): ScenarioRun {
  return {
    scenario,
    repetitions: samples.length,
    warmup: 1,
    metrics: [{ name: 'workload.wall_time', unit: 'ns', better: 'lower', samples }],
    collectors: [],
    isolation: { kind: 'pid', reason: 'test' },
    lost: [],
    failure: null,
    irqTable: null,
  };
}

function abReport(): Report {
  const random = mulberry32(3);
  const base = Array.from({ length: 12 }, () => 1e9 * (1 + 0.01 * standardNormal(random)));
  const head = base.map((b) => b * 1.2 * (1 + 0.01 * standardNormal(random)));
  const run: AbScenarioRun = { name: 'cpu', base: side(base), head: side(head), rounds: 12, design: { min: 12, max: 12 }, order: [] };
  const options = { rounds: { min: 12, max: 12 }, test: 'signed-rank' as const, seed: 1 };
  const { scenarios, family } = evaluateAbRuns([run], options, env);
  const ab: Report['ab'] = { seed: 1, rounds: options.rounds, test: 'signed-rank', sides: { base: { dir: '/w/base', env: {} }, head: { dir: '/w/head', env: {} } }, scenarios: [{ name: 'cpu', state: 'paired', rounds: 12, order: [] }] };
  return { ...buildReport('ab-run', new Date('2026-12-01T10:00:00Z'), env, scenarios, family), ab };
}

describe('the report of a kdelta ab run', () => {
  const report = abReport();
  const verdict = report.scenarios[0]!.metrics.find((m) => m.name === 'workload.wall_time')!.verdict!;

  test('the paired decision is worded as head vs base over the rounds, with the sequential design', () => {
    expect(verdict.status).toBe('regression');
    expect(verdict.message).toMatch(/^workload\.wall_time \+\d+\.\d% \[\+\d+\.\d%, \+\d+\.\d%\] head vs base over 12 rounds, tolerance \+5%, p=[0-9.e-]+ \(paired, sequential 12-12 rounds, holm over 1\): regression$/);
  });

  test('the table says Base, Head and vs base, and the summary says no stored baseline was used', () => {
    const md = renderMarkdown(report, { variant: 'summary' });
    expect(md).toContain('| Scenario | Metric | Base (median) | Head (median) | Tolerance | Change vs base [sequential interval] | Verdict |');
    expect(md).toContain('no stored baseline');
    expect(md).toContain('12 rounds of both sides, interleaved');
    expect(md).not.toContain('Baseline (median)');
  });

  test('the JUnit failure says vs base, rounds and the base and head medians', () => {
    const xml = renderJunit(report);
    expect(xpath(xml, 'string(//testcase[@name="workload.wall_time"]/failure/@message)')).toMatch(/^workload\.wall_time \+\d+\.\d% vs base, tolerance \+5%, p=/);
    const body = xpath(xml, 'string(//testcase[@name="workload.wall_time"]/failure)');
    expect(body).toContain('base median: ');
    expect(body).toContain('head median: ');
    expect(body).toContain('sequential interval');
    expect(body).toContain(`message: ${verdict.message}`);
    expect(xpath(xml, 'string(//property[@name="kdelta.ab.rounds"]/@value)')).toBe('12');
  });

  test('kdelta compare takes an A/B report\'s base side as the baseline', () => {
    const match = baselineFromSaved({ kind: 'report', path: '/w/report.json', report }, 'cpu', null, env)!;
    const baseSamples = report.scenarios[0]!.metrics[0]!.baseline!.samples;
    expect(match.baseline.metrics['workload.wall_time']!.samples).toEqual(baseSamples);
    expect(match.baseline.metrics['workload.wall_time']!.samples).not.toEqual(report.scenarios[0]!.metrics[0]!.samples);
    expect(match.baseline.provenance.reason).toBe('base side of A/B report ab-run');
  });
});

describe('losses in a kdelta ab report', () => {
  test('lists both sides\' losses, the base side\'s named as such', () => {
    const random = mulberry32(5);
    const base = Array.from({ length: 12 }, () => 1e9 * (1 + 0.01 * standardNormal(random)));
    const b = { ...side(base), lost: [{ repetition: 2, collector: 'ebpf' as const, what: 'ready delay: 3 updates dropped (map full)' }] };
    const h = { ...side(base.map((x) => x * 1.01)), lost: [{ repetition: 4, collector: 'proc' as const, what: 'sampler missed 1 interval' }] };
    const run: AbScenarioRun = { name: 'cpu', base: b, head: h, rounds: 12, design: { min: 12, max: 12 }, order: [] };
    const { scenarios } = evaluateAbRuns([run], { rounds: { min: 12, max: 12 }, test: 'signed-rank', seed: 1 }, env);
    expect(scenarios[0]!.lost.map((l) => l.what)).toEqual(['sampler missed 1 interval', 'base side: ready delay: 3 updates dropped (map full)']);
  });
});
