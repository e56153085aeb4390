import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CgroupRef } from '../../src/collect/types.js';
import { cgroup2Mount, cgroupPids, createCgroup, removeCgroup } from '../../src/kernel/cgroup.js';
import { prepareWorkload } from '../../src/workload/prepare.js';
import type { WorkloadSpec } from '../../src/scenario/types.js';
import type { WorkloadOutcome } from '../../src/workload/types.js';

let parent = '';
let cg: CgroupRef | null = null;
let scratch = '';
let seq = 0;

beforeAll(async () => {
  const mount = await cgroup2Mount();
  if (!mount) throw new Error('no cgroup2 mount in /proc/self/mountinfo: these tests need cgroup v2');
  parent = join(mount, `kdelta-test-workload-${process.pid}`);
  scratch = await mkdtemp(join(tmpdir(), 'kdelta-workload-'));
});
afterEach(async () => {
  if (cg) await removeCgroup(cg.path);
  cg = null;
});
afterAll(async () => {
  await removeCgroup(parent);
  await rm(scratch, { recursive: true, force: true });
});

async function freshCgroup(): Promise<CgroupRef> {
  cg = await createCgroup(join(parent, `rep-${seq++}`));
  return cg;
}

function command(argv: [string, ...string[]], extra: Partial<Extract<WorkloadSpec, { kind: 'command' }>> = {}): WorkloadSpec {
  return { kind: 'command', argv, env: {}, cwd: scratch, timeoutMs: 10_000, metrics: [], ...extra };
}

const noAbort = () => new AbortController().signal;

function failed(o: WorkloadOutcome): Extract<WorkloadOutcome, { state: 'failed' }> {
  if (o.state !== 'failed') throw new Error(`expected a failure, got ok: ${JSON.stringify(o)}`);
  return o;
}

/**
 * Whether a process still runs. kill(pid, 0) also succeeds on a zombie, and the killed
 * descendants are orphans whose reaping is up to PID 1 (here a VM init that reaps late), so
 * a zombie (state Z in /proc/<pid>/stat) counts as gone: it can no longer run anything.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function pidsFromFile(path: string, n: number): Promise<number[]> {
  for (let i = 0; i < 200; i++) {
    const pids = (await readFile(path, 'utf8').catch(() => '')).split('\n').filter(Boolean).map(Number);
    if (pids.length >= n) return pids;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${path} never listed ${n} pids`);
}

describe('command workloads in a cgroup', () => {
  it('a command that exits 3 fails as exit 3 with the tail of its stderr', async () => {
    const w = await prepareWorkload(command(['sh', '-c', 'echo "something broke" >&2; exit 3']));
    const o = failed(await w.run({ cgroup: await freshCgroup(), signal: noAbort() }));
    expect(o.kind).toBe('exit');
    expect(o.exitCode).toBe(3);
    expect(o.stderrTail).toContain('something broke');
    expect(o.message).toMatch(/exited with code 3/);
  });

  it('a command that does not exist fails as spawn, saying it was not found', async () => {
    const w = await prepareWorkload(command(['kdelta-no-such-command-h4']));
    const o = failed(await w.run({ cgroup: await freshCgroup(), signal: noAbort() }));
    expect(o.kind).toBe('spawn');
    expect(o.message).toBe('command not found: kdelta-no-such-command-h4');
  });

  it('a command that sleeps past its timeout is killed within about a second and the cgroup is left empty', async () => {
    const w = await prepareWorkload(command(['sleep', '30'], { timeoutMs: 500 }));
    const ref = await freshCgroup();
    const t0 = Date.now();
    const o = failed(await w.run({ cgroup: ref, signal: noAbort() }));
    const elapsed = Date.now() - t0;
    expect(o.kind).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(500);
    expect(elapsed).toBeLessThan(1500);
    expect(await cgroupPids(ref)).toEqual([]);
  });

  it('every descendant of a forking workload is in the cgroup, and all are killed on timeout', async () => {
    const pidFile = join(scratch, 'forked.pids');
    // Children and a grandchild (the inner sh's sleep); each records its pid.
    const script = `echo $$ >> ${pidFile}; sleep 30 & echo $! >> ${pidFile}; sh -c 'sleep 30 & echo $! >> ${pidFile}; wait' & echo $! >> ${pidFile}; wait`;
    const w = await prepareWorkload(command(['sh', '-c', script], { timeoutMs: 1500 }));
    const ref = await freshCgroup();
    const running = w.run({ cgroup: ref, signal: noAbort() });
    const pids = await pidsFromFile(pidFile, 4);
    const inCgroup = await cgroupPids(ref);
    for (const pid of pids) expect(inCgroup).toContain(pid);
    const o = failed(await running);
    expect(o.kind).toBe('timeout');
    expect(pids.filter(alive)).toEqual([]);
    expect(await cgroupPids(ref)).toEqual([]);
  });

  it('the workload is in the cgroup from its first instruction', async () => {
    const out = join(scratch, 'first.cgroup');
    const w = await prepareWorkload(command(['sh', '-c', `cat /proc/$$/cgroup > ${out}`]));
    const ref = await freshCgroup();
    const o = await w.run({ cgroup: ref, signal: noAbort() });
    expect(o.state).toBe('ok');
    const mount = (await cgroup2Mount()) ?? '';
    const line = (await readFile(out, 'utf8')).split('\n').find((l) => l.startsWith('0::'));
    expect(line).toBe(`0::${ref.path.slice(mount.length)}`);
  });

  it('an abort (SIGINT to kdelta) kills the whole tree and reports aborted', async () => {
    const w = await prepareWorkload(command(['sh', '-c', 'sleep 30 & sleep 30 & wait']));
    const ref = await freshCgroup();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const o = failed(await w.run({ cgroup: ref, signal: ac.signal }));
    expect(o.kind).toBe('aborted');
    expect(await cgroupPids(ref)).toEqual([]);
  });

  it('a crash is reported as a signal', async () => {
    const w = await prepareWorkload(command(['sh', '-c', 'kill -SEGV $$']));
    const o = failed(await w.run({ cgroup: await freshCgroup(), signal: noAbort() }));
    expect(o.kind).toBe('signal');
    expect(o.signal).toBe('SIGSEGV');
  });

  it('processes a finished workload left behind are killed with the repetition', async () => {
    const pidFile = join(scratch, 'daemon.pids');
    const w = await prepareWorkload(command(['sh', '-c', `sleep 30 > /dev/null 2>&1 & echo $! > ${pidFile}`]));
    const ref = await freshCgroup();
    const o = await w.run({ cgroup: ref, signal: noAbort() });
    expect(o.state).toBe('ok');
    const [daemon] = await pidsFromFile(pidFile, 1);
    expect(alive(daemon ?? 0)).toBe(false);
    expect(await cgroupPids(ref)).toEqual([]);
  });

  it('env, cwd, JSON figures and regex figures reach the outcome, with a wall time', async () => {
    const spec = command(
      ['sh', '-c', 'echo "{\\"metric\\":\\"v\\",\\"value\\":$KD_V,\\"unit\\":\\"1\\",\\"better\\":\\"higher\\"}"; echo "dir=$(pwd) took 12.5 ms"'],
      { env: { KD_V: '42' }, metrics: [{ name: 'took', regex: 'took ([0-9.]+) ms', unit: 'ms', better: 'lower' }] },
    );
    const w = await prepareWorkload(spec);
    const o = await w.run({ cgroup: await freshCgroup(), signal: noAbort() });
    if (o.state !== 'ok') throw new Error(o.message);
    expect(o.metrics).toContainEqual({ name: 'workload.v', unit: '1', better: 'higher', value: 42 });
    expect(o.metrics).toContainEqual({ name: 'workload.took', unit: 'ms', better: 'lower', value: 12.5 });
    expect(o.wallTimeNs).toBeGreaterThan(0);
    expect(o.tasks.pid).toBeGreaterThan(0);
  });

  it('a declared regex figure missing from stdout fails the repetition, naming it', async () => {
    const w = await prepareWorkload(
      command(['true'], { metrics: [{ name: 'rps', regex: 'rps=(\\d+)', unit: '1/s', better: 'higher' }] }),
    );
    const o = failed(await w.run({ cgroup: await freshCgroup(), signal: noAbort() }));
    expect(o.kind).toBe('error');
    expect(o.message).toMatch(/rps.*matched nothing/);
  });

  it('a cwd that does not exist is bad input before any repetition', async () => {
    await expect(prepareWorkload(command(['true'], { cwd: join(scratch, 'missing') }))).rejects.toThrow(/not a directory/);
  });
});

describe('command workloads without a cgroup (non-root fallback)', () => {
  it('a timeout kills the whole process group', async () => {
    const pidFile = join(scratch, 'pgroup.pids');
    const w = await prepareWorkload(
      command(['sh', '-c', `sleep 30 & echo $! >> ${pidFile}; sleep 30 & echo $! >> ${pidFile}; wait`], { timeoutMs: 500 }),
    );
    const o = failed(await w.run({ cgroup: null, signal: noAbort() }));
    expect(o.kind).toBe('timeout');
    const pids = await pidsFromFile(pidFile, 2);
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a command that does not exist fails as spawn, saying it was not found', async () => {
    const w = await prepareWorkload(command(['kdelta-no-such-command-h4']));
    const o = failed(await w.run({ cgroup: null, signal: noAbort() }));
    expect(o.kind).toBe('spawn');
    expect(o.message).toBe('command not found: kdelta-no-such-command-h4');
  });

  it('onStart receives the workload pid while it runs', async () => {
    const w = await prepareWorkload(command(['sleep', '0.2']));
    let seen: { pid: number; running: boolean } | null = null;
    const o = await w.run({
      cgroup: null,
      signal: noAbort(),
      onStart: (pid) => {
        seen = { pid, running: alive(pid) };
      },
    });
    if (o.state !== 'ok') throw new Error(o.message);
    expect(seen).toEqual({ pid: o.tasks.pid, running: true });
  });

  it('a command that exits 3 fails as exit 3', async () => {
    const w = await prepareWorkload(command(['sh', '-c', 'echo bad >&2; exit 3']));
    const o = failed(await w.run({ cgroup: null, signal: noAbort() }));
    expect([o.kind, o.exitCode, o.stderrTail]).toEqual(['exit', 3, 'bad\n']);
  });
});
