import { describe, expect, it } from 'vitest';
import { evaluateRuns, overallStatus } from '../../src/report/evaluate.js';
import type { ScenarioRun } from '../../src/run/types.js';
import type { Scenario } from '../../src/scenario/types.js';

function scenario(name: string, gated: string[]): Scenario {
  return {
    name,
    description: '',
    file: `/nonexistent/${name}.yaml`,
    workload: { kind: 'command', argv: ['true'], env: {}, cwd: '/tmp', timeoutMs: 1000, metrics: [] },
    repetitions: 3,
    warmup: 0,
    collect: { proc: { intervalMs: 100 }, ebpf: { readyDelay: true, syscalls: false, irq: false }, require: [] },
    gate: {
      alpha: 0.05,
      tolerance: 0.05,
      correction: 'holm',
      test: 'mann-whitney',
      metrics: Object.fromEntries(gated.map((g) => [g, { tolerance: 0.05, alpha: 0.05 }])),
      limits: [],
      requireSameMachine: false,
    },
  };
}

function run(name: string, samples: number[], failure: ScenarioRun['failure'] = null, ebpfReady = true): ScenarioRun {
  return {
    scenario: scenario(name, ['workload.wall_time', 'sched.ready_delay.p99']),
    repetitions: 3,
    warmup: 0,
    metrics: samples.length ? [{ name: 'workload.wall_time', unit: 'ns', better: 'lower', samples }] : [],
    collectors: [
      { name: 'proc', enabled: true, availability: { state: 'ready' }, notes: [] },
      {
        name: 'ebpf',
        enabled: true,
        availability: ebpfReady ? { state: 'ready' } : { state: 'unavailable', reason: 'bpftrace is not installed', disables: ['sched.ready_delay.*'] },
        notes: [],
      },
    ],
    isolation: { kind: 'cgroup', path: '/sys/fs/cgroup/x' },
    lost: [],
    failure,
    irqTable: null,
  };
}

const exit3 = { repetition: 1, kind: 'exit', exitCode: 3, signal: null, message: 'exited with code 3', stderrTail: 'boom' };

describe('evaluateRuns', () => {
  it('a failed scenario is an error whose gated metrics are unavailable, saying why; the others are judged as usual', () => {
    const { scenarios } = evaluateRuns(
      [
        { run: run('broken', [1e6], exit3), baseline: null },
        { run: run('never', [], { ...exit3, repetition: 1 }), baseline: null },
        { run: run('fine', [1e6, 1.1e6, 0.9e6], null, false), baseline: null },
      ],
      1,
    );
    const [broken, never, fine] = scenarios;
    expect(broken?.status).toBe('error');
    expect(broken?.failure).toEqual(exit3);
    const wall = broken?.metrics.find((m) => m.name === 'workload.wall_time');
    expect(wall?.samples).toEqual([1e6]);
    expect(wall?.verdict).toEqual({ status: 'unavailable', message: 'workload.wall_time: not compared: the workload failed after 1 of 3 repetitions' });
    expect(never?.status).toBe('error');
    expect(never?.metrics.find((m) => m.name === 'workload.wall_time')?.verdict?.message).toBe('workload.wall_time: the workload failed before it was measured');

    expect(fine?.status).toBe('pass');
    expect(fine?.metrics.find((m) => m.name === 'workload.wall_time')?.verdict?.status).toBe('no-baseline');
    // A gated metric of a collector that could not run is unavailable with the collector's reason, never dropped.
    expect(fine?.metrics.find((m) => m.name === 'sched.ready_delay.p99')?.verdict).toEqual({
      status: 'unavailable',
      message: 'sched.ready_delay.p99: the ebpf collector could not run here: bpftrace is not installed',
    });
  });
});

describe('overallStatus', () => {
  it('error outranks regression outranks pass', () => {
    const s = (status: 'pass' | 'regression' | 'error') => ({ status }) as Parameters<typeof overallStatus>[0][number];
    expect(overallStatus([s('pass'), s('regression'), s('error')])).toBe('error');
    expect(overallStatus([s('pass'), s('regression')])).toBe('regression');
    expect(overallStatus([s('pass')])).toBe('pass');
    expect(overallStatus([])).toBe('pass');
  });
});
