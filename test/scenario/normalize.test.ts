import { describe, expect, test } from 'vitest';
import { resolve } from 'node:path';
import { loadScenarios } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

const VALID = 'test/fixtures/scenario/valid';

async function loadOne(file: string): Promise<Scenario> {
  const { scenarios, problems } = await loadScenarios([`${VALID}/${file}`]);
  expect(problems).toEqual([]);
  expect(scenarios).toHaveLength(1);
  return scenarios[0] as Scenario;
}

describe('normalizing valid scenarios', () => {
  test('a folder of valid files loads every scenario, sorted by file name, without problems', async () => {
    const { scenarios, problems } = await loadScenarios([VALID]);
    expect(problems).toEqual([]);
    expect(scenarios.map((s) => s.name)).toEqual(['sort.bench', 'hackbench-pipes', 'syscalls']);
  });

  test('a full scenario keeps every field, in ms, fractions and absolute paths', async () => {
    const file = resolve(VALID, 'full.yaml');
    expect(await loadOne('full.yaml')).toEqual({
      name: 'hackbench-pipes',
      description: 'Scheduler wake-ups over pipes',
      file,
      workload: {
        kind: 'command',
        argv: ['hackbench', '--pipe', '-g', '4', '-l', '2000'],
        env: { HACKBENCH_MODE: 'pipes' },
        cwd: resolve(VALID, 'work'),
        timeoutMs: 60_000,
        metrics: [
          { name: 'ops_per_sec', regex: '([0-9.]+) ops/s', unit: '1/s', better: 'higher' },
          { name: 'latency', regex: 'latency ([0-9.]+) ms', unit: 'ms', better: 'lower' },
        ],
      },
      repetitions: 12,
      warmup: 2,
      collect: {
        proc: { intervalMs: 100 },
        ebpf: {
          readyDelay: true,
          syscalls: { include: ['read', 'write'], exclude: ['futex'], excludeBlocking: true, sample: 4 },
          irq: false,
          timeline: true,
        },
        require: ['ebpf'],
      },
      gate: {
        alpha: 0.01,
        tolerance: 0.05,
        correction: 'bh',
        test: 'welch',
        requireSameMachine: true,
        metrics: {
          'workload.wall_time': { tolerance: 0.03, alpha: 0.01 },
          'sched.ready_delay.p99': { tolerance: 0.05, alpha: 0.01 },
          'syscall.*.p99': { tolerance: 0.05, alpha: 0.01 },
        },
        limits: [
          { text: 'sched.ready_delay.p99 < 2ms', metric: 'sched.ready_delay.p99', op: '<', value: 2_000_000, each: false },
          // workload.latency is declared in ms, so 1.5s is 1500 of its unit.
          { text: 'workload.latency <= 1.5s', metric: 'workload.latency', op: '<=', value: 1500, each: true },
          { text: 'irq.node0.share >= 50%', metric: 'irq.node0.share', op: '>=', value: 0.5, each: false },
          { text: 'sched.context_switches < 100000', metric: 'sched.context_switches', op: '<', value: 100_000, each: false },
        ],
      },
    } satisfies Scenario);
  });

  test('a minimal JSON scenario gets every default', async () => {
    expect(await loadOne('minimal.json')).toEqual({
      name: 'syscalls',
      description: '',
      file: resolve(VALID, 'minimal.json'),
      workload: {
        kind: 'builtin',
        name: 'syscall-loop',
        threads: 2,
        durationMs: 2000,
        count: 100_000,
        cpu: null,
        timeoutMs: 600_000,
        metrics: [],
      },
      repetitions: 10,
      warmup: 1,
      collect: {
        proc: { intervalMs: 250 },
        ebpf: { readyDelay: true, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 }, irq: true, timeline: true },
        require: [],
      },
      gate: {
        alpha: 0.05,
        tolerance: 0.05,
        correction: 'holm',
        test: 'mann-whitney',
        requireSameMachine: false,
        metrics: { 'workload.wall_time': { tolerance: 0.05, alpha: 0.05 } },
        limits: [],
      },
    } satisfies Scenario);
  });

  test('a tinybench module path is resolved against the scenario file folder, and collectors can be switched off', async () => {
    const s = await loadOne('bench.yml');
    expect(s.workload).toEqual({
      kind: 'tinybench',
      module: resolve(VALID, '../bench/sort.mjs'),
      timeMs: 500,
      iterations: 64,
      timeoutMs: 600_000,
      metrics: [],
    });
    expect(s.collect).toEqual({ proc: false, ebpf: false, require: [] });
  });
});
