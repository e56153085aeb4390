import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MachineFacts } from '../../src/environment/types.js';
import { machineFacts } from '../fixtures/machine-facts.js';
import { KdeltaError } from '../../src/errors.js';
import type { IrqTable } from '../../src/collect/proc/irq-table.js';
import { COLLECTORS } from '../../src/collect/registry.js';
import { checkRequiredCollectors, mergeIrqTables, plannedCollectors, runCgroupName, sweepOrphanCgroups } from '../../src/run/runner.js';
import type { Scenario } from '../../src/scenario/types.js';

const facts: MachineFacts = machineFacts({ kernelRelease: '6.18.0', cpuModel: 'test' });

function scenario(collect: Partial<Scenario['collect']> = {}): Scenario {
  return {
    name: 'needs',
    description: '',
    file: '/tmp/needs.yaml',
    workload: { kind: 'command', argv: ['true'], env: {}, cwd: '/tmp', timeoutMs: 1000, metrics: [] },
    repetitions: 2,
    warmup: 0,
    collect: { proc: { intervalMs: 250 }, ebpf: { readyDelay: true, syscalls: false, irq: true }, require: [], ...collect },
    gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics: {}, limits: [], requireSameMachine: false },
  };
}

function thrown(f: () => void): KdeltaError {
  try {
    f();
  } catch (e) {
    if (e instanceof KdeltaError) return e;
    throw e;
  }
  throw new Error('expected a KdeltaError');
}

describe('checkRequiredCollectors', () => {
  it('passes when the required collector can run', () => {
    expect(() => checkRequiredCollectors(scenario({ require: ['ebpf', 'proc'] }), facts, COLLECTORS)).not.toThrow();
  });

  it('exit 3 with the reason and fix when a required collector cannot run here', () => {
    const e = thrown(() => checkRequiredCollectors(scenario({ require: ['ebpf'] }), { ...facts, bpftrace: null, btf: false }, COLLECTORS));
    expect(e.exitCode).toBe(3);
    expect(e.message).toBe('scenario needs requires the ebpf collector, which cannot run here: bpftrace is not installed');
    expect(e.fix).toBe('apt-get install bpftrace');
    expect(e.where).toBe('/tmp/needs.yaml');
  });

  it('exit 3 without root or capabilities', () => {
    const e = thrown(() => checkRequiredCollectors(scenario({ require: ['ebpf'] }), { ...facts, isRoot: false, hasBpfCaps: false }, COLLECTORS));
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/not root/);
  });

  it('exit 2 when the scenario requires a collector it disables itself (a contradiction in the file)', () => {
    const e = thrown(() => checkRequiredCollectors(scenario({ require: ['ebpf'], ebpf: false }), facts, COLLECTORS));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/disables it in collect\.ebpf/);
  });

  it('a collector that is not required may be unavailable', () => {
    expect(() => checkRequiredCollectors(scenario(), { ...facts, bpftrace: null, btf: false }, COLLECTORS)).not.toThrow();
    const planned = plannedCollectors(scenario(), { ...facts, bpftrace: null, btf: false }, COLLECTORS);
    expect(planned.map((c) => [c.name, c.enabled, c.availability.state])).toEqual([
      ['proc', true, 'ready'],
      ['ebpf', true, 'unavailable'],
    ]);
  });
});

describe('run cgroups and the orphan sweep', () => {
  let root = '';
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'kdelta-sweep-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('names the run cgroup after the pid, so a later run can tell an orphan', () => {
    expect(runCgroupName(1234, '20261121T225300Z-abc')).toBe('kdelta-1234-20261121T225300Z-abc');
  });

  it('removes the whole tree of a dead kdelta (run/scenario/repetition), keeps a live one and anything not ours', async () => {
    // A pid that is not running: above pid_max's default range and checked.
    const dead = 4_194_000;
    expect(() => process.kill(dead, 0)).toThrow();
    const orphan = join(root, runCgroupName(dead, 'run1'));
    for (const rep of ['r0', 'r1', 'r2']) await mkdir(join(orphan, 'scenario-a', rep), { recursive: true });
    await mkdir(join(orphan, 'scenario-b', 'r0'), { recursive: true });
    const live = join(root, runCgroupName(process.pid, 'run2'));
    await mkdir(join(live, 's', 'r0'), { recursive: true });
    const other = join(root, 'kdelta-test-workload-1');
    await mkdir(other);
    const system = join(root, 'system.slice');
    await mkdir(system);

    expect(await sweepOrphanCgroups(root)).toEqual([orphan]);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(join(live, 's', 'r0'))).toBe(true);
    expect(existsSync(other)).toBe(true);
    expect(existsSync(system)).toBe(true);
    // Nothing left to sweep the second time.
    expect(await sweepOrphanCgroups(root)).toEqual([]);
  });

  it("sweeps a dead kdelta's libbpf calibration cgroup, keeps a live one's", async () => {
    const dead = 4_194_001;
    expect(() => process.kill(dead, 0)).toThrow();
    const orphan = join(root, `kdelta-calib-${dead}`);
    const live = join(root, `kdelta-calib-${process.pid}`);
    await mkdir(orphan);
    await mkdir(live);
    expect(await sweepOrphanCgroups(root)).toEqual([orphan]);
    expect(existsSync(live)).toBe(true);
  });

  it('a missing cgroup2 folder sweeps nothing', async () => {
    expect(await sweepOrphanCgroups(join(root, 'nope'))).toEqual([]);
  });
});

describe('mergeIrqTables', () => {
  const table = (rows: Array<[string, number]>, perCpu: Array<[number, number]>): IrqTable => ({
    nodes: [0],
    rows: rows.map(([name, total]) => ({ irq: name, name, total, perNode: [total] })),
    perCpu: perCpu.map(([cpu, total]) => ({ cpu, node: 0, total })),
  });

  it('sums rows and CPUs across repetitions, sorted by total, without changing its inputs', () => {
    const a = table([['virtio0', 10], ['timer', 5]], [[0, 12], [1, 3]]);
    const b = table([['timer', 20], ['nvme', 1]], [[1, 21]]);
    const m = mergeIrqTables(mergeIrqTables(null, a), b);
    expect(m.rows.map((r) => [r.name, r.total, r.perNode[0]])).toEqual([
      ['timer', 25, 25],
      ['virtio0', 10, 10],
      ['nvme', 1, 1],
    ]);
    expect(m.perCpu.map((c) => [c.cpu, c.total])).toEqual([
      [0, 12],
      [1, 24],
    ]);
    expect(a.rows[1]!.total).toBe(5);
    expect(a.perCpu[1]!.total).toBe(3);
  });

  it('keeps the top rows only', () => {
    const big = table(
      Array.from({ length: 30 }, (_, i) => [`irq${i}`, i] as [string, number]),
      [],
    );
    const m = mergeIrqTables(table([], []), big, 5);
    expect(m.rows.map((r) => r.name)).toEqual(['irq29', 'irq28', 'irq27', 'irq26', 'irq25']);
  });
});
