import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CgroupRef } from '../../src/collect/types.js';
import { cgroup2Mount, cgroupPids, createCgroup, removeCgroup } from '../../src/kernel/cgroup.js';
import type { BuiltinName, WorkloadSpec } from '../../src/scenario/types.js';
import { helperPath } from '../../src/workload/helpers.js';
import { prepareWorkload } from '../../src/workload/prepare.js';
import type { WorkloadOutcome } from '../../src/workload/types.js';

let parent = '';
let cg: CgroupRef | null = null;
let seq = 0;

beforeAll(async () => {
  const mount = await cgroup2Mount();
  if (!mount) throw new Error('no cgroup2 mount in /proc/self/mountinfo: these tests need cgroup v2');
  parent = join(mount, `kdelta-test-builtin-${process.pid}`);
});
afterEach(async () => {
  if (cg) await removeCgroup(cg.path);
  cg = null;
});
afterAll(async () => {
  await removeCgroup(parent);
});

type Ok = Extract<WorkloadOutcome, { state: 'ok' }>;

async function runBuiltin(name: BuiltinName, opts: { threads?: number; durationMs?: number; count?: number; cpu?: number | null; timeoutMs?: number }): Promise<Ok> {
  const spec: WorkloadSpec = {
    kind: 'builtin',
    name,
    threads: opts.threads ?? 1,
    durationMs: opts.durationMs ?? 1000,
    count: opts.count ?? 1000,
    cpu: opts.cpu ?? null,
    timeoutMs: opts.timeoutMs ?? 30_000,
    metrics: [],
  };
  const w = await prepareWorkload(spec);
  expect(w.inProcess).toBe(false);
  cg = await createCgroup(join(parent, `rep-${seq++}`));
  const o = await w.run({ cgroup: cg, signal: new AbortController().signal });
  if (o.state !== 'ok') throw new Error(`${name} failed: ${o.message}\n${o.stderrTail}`);
  expect(await cgroupPids(cg)).toEqual([]);
  await removeCgroup(cg.path);
  cg = null;
  return o;
}

function metric(o: Ok, name: string): number {
  const m = o.metrics.find((p) => p.name === name);
  if (!m) throw new Error(`no ${name} in ${o.metrics.map((p) => p.name).join(', ')}`);
  return m.value;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('builtin loads create the effect they are named for', () => {
  it('syscall-loop makes exactly N raw getppid calls and reports N', async () => {
    const o = await runBuiltin('syscall-loop', { count: 200_000, cpu: 0 });
    expect(metric(o, 'workload.ops')).toBe(200_000);
    expect(o.tasks.threads.map((t) => t.comm)).toEqual(['sysloop']);
    // The kernel's own count, independent of what the load reports: strace counts the
    // getppid entries, so no libc caching or vDSO shortcut removed a call.
    const traced = await execa('strace', ['-f', '-c', '-e', 'trace=getppid', helperPath('kdelta-load'), 'syscall-loop', '--count', '5000']);
    expect(traced.stderr).toMatch(/\s5000\s+getppid/);
  });

  it('cpu-contention with twice as many spinners as CPUs makes each one wait on the run queue', async () => {
    const cpus = availableParallelism();
    const durationMs = 600;
    const many = await runBuiltin('cpu-contention', { threads: 2 * cpus, durationMs });
    const one = await runBuiltin('cpu-contention', { threads: 1, durationMs });
    const spinners = many.tasks.threads.filter((t) => /^spin\d+$/.test(t.comm));
    expect(spinners).toHaveLength(2 * cpus);
    for (const t of spinners) expect(t.runDelayNs).toBeGreaterThan(0);
    const delayMany = sum(spinners.map((t) => t.runDelayNs));
    const delayOne = sum(one.tasks.threads.filter((t) => t.comm === 'spin0').map((t) => t.runDelayNs));
    // 2N spinners on N CPUs wait about half the time: N x duration in total. Other load on
    // the machine only adds to it.
    expect(delayMany).toBeGreaterThan(0.5 * cpus * durationMs * 1e6);
    expect(delayMany).toBeGreaterThan(3 * delayOne);
    expect(metric(many, 'workload.ops')).toBeGreaterThan(0);
  });

  it('pipe-pingpong makes N round trips, each a wake-up of the other thread', async () => {
    const count = 5000;
    const o = await runBuiltin('pipe-pingpong', { count, threads: 1 });
    expect(metric(o, 'workload.ops')).toBe(count);
    const ping = o.tasks.threads.find((t) => t.comm === 'ping0');
    const pong = o.tasks.threads.find((t) => t.comm === 'pong0');
    // Each blocking read that is woken by the other side starts a new timeslice.
    expect(ping?.timeslices).toBeGreaterThan(count / 2);
    expect(pong?.timeslices).toBeGreaterThan(count / 2);
    expect(metric(o, 'workload.round_trip_ns')).toBeGreaterThan(0);
  });

  it('pipe-pingpong with several pairs reports every pair', async () => {
    const o = await runBuiltin('pipe-pingpong', { count: 1000, threads: 3 });
    expect(metric(o, 'workload.ops')).toBe(3000);
    expect(o.tasks.threads.map((t) => t.comm).filter((c) => c !== 'kdelta-load').sort()).toEqual(
      ['ping0', 'ping1', 'ping2', 'pong0', 'pong1', 'pong2'],
    );
  });

  it('fsync-write writes and flushes N times on a disk file system', async () => {
    const o = await runBuiltin('fsync-write', { count: 30 });
    expect(metric(o, 'workload.ops')).toBe(30);
    // A flush that reaches a device takes tens of microseconds at least; on tmpfs it is a no-op.
    expect(metric(o, 'workload.fsync_ns')).toBeGreaterThan(10_000);
  });

  it('fsync-write refuses a tmpfs directory, where fsync would do no I/O', async () => {
    const r = await execa(helperPath('kdelta-load'), ['fsync-write', '--count', '1', '--dir', '/dev/shm'], { reject: false });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/tmpfs/);
  });

  it('loopback-tcp moves B bytes over 127.0.0.1', async () => {
    const bytes = 32 * 1024 * 1024;
    const o = await runBuiltin('loopback-tcp', { count: bytes });
    expect(metric(o, 'workload.ops')).toBe(bytes);
    expect(metric(o, 'workload.bytes_per_sec')).toBeGreaterThan(0);
    expect(o.tasks.threads.map((t) => t.comm).sort()).toEqual(['kdelta-load', 'tcpclient', 'tcpserver']);
  });

  it('a builtin that runs past its timeout is killed with its whole cgroup', async () => {
    const w = await prepareWorkload({
      kind: 'builtin', name: 'cpu-contention', threads: 2, durationMs: 30_000, count: 1, cpu: null, timeoutMs: 400, metrics: [],
    });
    cg = await createCgroup(join(parent, `rep-${seq++}`));
    const o = await w.run({ cgroup: cg, signal: new AbortController().signal });
    expect(o.state === 'failed' && o.kind).toBe('timeout');
    expect(await cgroupPids(cg)).toEqual([]);
  });
});
