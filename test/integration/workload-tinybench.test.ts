import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CgroupRef } from '../../src/collect/types.js';
import { cgroup2Mount, cgroupPids, createCgroup, removeCgroup } from '../../src/kernel/cgroup.js';
import type { WorkloadSpec } from '../../src/scenario/types.js';
import { prepareWorkload } from '../../src/workload/prepare.js';

const fixtures = fileURLToPath(new URL('../fixtures/workload/', import.meta.url));
let parent = '';
let cg: CgroupRef | null = null;

beforeAll(async () => {
  const mount = await cgroup2Mount();
  if (!mount) throw new Error('no cgroup2 mount in /proc/self/mountinfo: these tests need cgroup v2');
  parent = join(mount, `kdelta-test-tinybench-${process.pid}`);
});
afterEach(async () => {
  if (cg) await removeCgroup(cg.path);
  cg = null;
});
afterAll(async () => {
  await removeCgroup(parent);
});

function tinybench(module: string): WorkloadSpec {
  return { kind: 'tinybench', module: join(fixtures, module), timeMs: 100, iterations: 16, timeoutMs: 60_000, metrics: [] };
}

function sleepers(arg: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/u.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').trim() === `sleep ${arg}`;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('tinybench workloads', () => {
  it('listing the tasks of a module that starts a timer and a detached process at import ends, and leaves no process behind', async () => {
    const w = await prepareWorkload(tinybench('tinybench-spawns-at-import.mjs'));
    expect(w.inProcess).toBe(false);
    expect(sleepers('4271')).toEqual([]);
  });

  it('a repetition of that module ends when its tasks are done, not at the timeout, and its cgroup takes the detached process with it', async () => {
    const w = await prepareWorkload(tinybench('tinybench-spawns-at-import.mjs'));
    cg = await createCgroup(join(parent, 'rep-hostile'));
    const o = await w.run({ cgroup: cg, signal: new AbortController().signal });
    if (o.state !== 'ok') throw new Error(`${o.message}\n${o.stderrTail}`);
    expect(o.wallTimeNs).toBeLessThan(20e9);
    expect(o.metrics.map((m) => m.name)).toContain('workload.noop.mean');
    expect(sleepers('4271')).toEqual([]);
  });

  it('each exported task becomes workload.<task>.mean, .p99 and .throughput, run in a child inside the cgroup', async () => {
    const w = await prepareWorkload(tinybench('tinybench-tasks.mjs'));
    expect(w.inProcess).toBe(false);
    cg = await createCgroup(join(parent, 'rep-0'));
    const o = await w.run({ cgroup: cg, signal: new AbortController().signal });
    if (o.state !== 'ok') throw new Error(`${o.message}\n${o.stderrTail}`);
    const byName = new Map(o.metrics.map((m) => [m.name, m]));
    for (const task of ['sumArray', 'resolvePromise', 'json_parse']) {
      const mean = byName.get(`workload.${task}.mean`);
      const p99 = byName.get(`workload.${task}.p99`);
      const throughput = byName.get(`workload.${task}.throughput`);
      expect(mean).toMatchObject({ unit: 'ns', better: 'lower' });
      expect(p99).toMatchObject({ unit: 'ns', better: 'lower' });
      expect(throughput).toMatchObject({ unit: '1/s', better: 'higher' });
      expect(mean?.value).toBeGreaterThan(0);
      expect(p99?.value ?? 0).toBeGreaterThanOrEqual(0);
      // Throughput and mean latency describe the same runs: ops/s is about 1e9 / mean ns.
      expect((throughput?.value ?? 0) * (mean?.value ?? 0)).toBeGreaterThan(0.2e9);
    }
    expect(o.tasks.pid).toBeGreaterThan(0);
    expect(await cgroupPids(cg)).toEqual([]);
  });

  it('a task that throws fails the repetition with the error in the stderr tail', async () => {
    const w = await prepareWorkload(tinybench('tinybench-throws.mjs'));
    cg = await createCgroup(join(parent, 'rep-1'));
    const o = await w.run({ cgroup: cg, signal: new AbortController().signal });
    expect(o.state === 'failed' && o.kind).toBe('exit');
    expect(o.state === 'failed' && o.stderrTail).toMatch(/task exploded on purpose/);
  });

  it('a module without task functions is bad input', async () => {
    await expect(prepareWorkload(tinybench('tinybench-empty.mjs'))).rejects.toThrow(/exports no task functions/);
  });

  it('a module that does not exist is bad input', async () => {
    await expect(prepareWorkload(tinybench('no-such-module.mjs'))).rejects.toThrow(/tinybench module not found/);
  });
});
