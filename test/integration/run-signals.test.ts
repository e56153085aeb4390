// Issue 3, "Failure": SIGINT/SIGTERM to kdelta stops the workload and every collector, removes
// the cgroups and writes what it has; SIGKILL leaves a cgroup the next run sweeps, and a
// bpftrace that exits by itself (the session's pipe watchdog). End to end through
// bin/kdelta.js, since signals reach a real process.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/schema.js';
import type { StoredReport } from '../../src/report/compact.js';
import {
  bpfProgIdsOf,
  bpftraceOf,
  cgroup2,
  cgroupOf,
  plainEnv,
  processes,
  processesWithArgv,
  repoRoot,
  requireBuild,
  runCgroupsOf,
  runCli,
  spawnKdelta,
  tempDir,
  waitFor,
  writeScenario,
  type Spawned,
} from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  cgroup2();
  dir = await tempDir('kdelta-run-signals-');
  // The run after an interrupted one: any scenario; it sweeps what a killed kdelta left.
  await writeScenario(
    dir.path,
    'next.yaml',
    `name: next-run
workload:
  builtin: { name: syscall-loop, count: 100 }
repetitions: 1
warmup: 0
collect:
  proc: false
  ebpf: false
`,
  );
});
afterAll(async () => {
  await dir.remove();
});

/** Ids of every BPF program loaded on the machine. */
function loadedProgIds(): Set<number> {
  const list = JSON.parse(execFileSync('bpftool', ['prog', 'show', '--json'], { encoding: 'utf8' })) as Array<{ id: number }>;
  return new Set(list.map((p) => p.id));
}

async function longScenario(name: string, seconds: string): Promise<string> {
  const sc = join(dir.path, name);
  await writeScenario(
    dir.path,
    `${name}.yaml`,
    `name: ${name}
workload:
  command: [sleep, "${seconds}"]
  timeout: 60s
repetitions: 2
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
gate:
  metrics:
    workload.wall_time: {}
`,
  );
  return `${sc}.yaml`;
}

/** Waits until the workload runs inside this kdelta's run cgroup and its bpftrace has programs loaded. */
async function whileRunning(k: Spawned, marker: string[]): Promise<{ bpftracePids: number[]; progIds: number[]; workload: number[] }> {
  const pid = k.child.pid!;
  let ended = false;
  void k.exited.then(() => (ended = true));
  const workload = await waitFor(() => {
    if (ended) throw new Error(`kdelta ended before its workload ran:\n${k.rawStderr()}`);
    const ps = processesWithArgv(...marker);
    return ps.length > 0 && ps.every((p) => cgroupOf(p.pid)?.startsWith(`/kdelta-${pid}-`)) ? ps.map((p) => p.pid) : null;
  }, `${marker.join(' ')} inside kdelta's cgroup`);
  const bpftrace = bpftraceOf(pid).filter((p) => p.argv[0]?.endsWith('bpftrace'));
  expect(bpftrace, 'the bpftrace this kdelta started').toHaveLength(1);
  const progIds = bpfProgIdsOf(bpftrace[0]!.pid);
  expect(progIds.length, 'BPF programs held by that bpftrace').toBeGreaterThan(0);
  const loaded = loadedProgIds();
  for (const id of progIds) expect(loaded.has(id), `bpftool lists prog ${id}`).toBe(true);
  return { bpftracePids: bpftraceOf(pid).map((p) => p.pid), progIds, workload };
}

async function expectProgsUnloaded(progIds: number[]): Promise<void> {
  // The kernel frees a program a moment after its last fd closes (RCU), so allow a short wait.
  await waitFor(() => progIds.every((id) => !loadedProgIds().has(id)), `BPF programs ${progIds.join(', ')} to be unloaded`, 10_000, 100);
}

// These follow bpftrace through the signals; the libbpf loader's death with kdelta is tested in ebpf-libbpf.test.ts.
const BPFTRACE = plainEnv({ KDELTA_EBPF: 'bpftrace' });

describe('kdelta run interrupted', () => {
  for (const [signal, code, seconds] of [
    ['SIGINT', 130, '984'],
    ['SIGTERM', 143, '983'],
  ] as const) {
    it(`${signal}: stops the workload and bpftrace, removes its cgroups, writes the report and exits ${code}`, async () => {
      const name = `interrupt-${signal.toLowerCase()}`;
      const file = await longScenario(name, seconds);
      const out = join(dir.path, `${name}-out`);
      const k = spawnKdelta(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: BPFTRACE });
      const pid = k.child.pid!;
      const { progIds } = await whileRunning(k, ['sleep', seconds]);

      k.child.kill(signal);
      const exit = await k.exited;
      expect(exit.code, k.rawStderr()).toBe(code);

      // What it had is written, and says what happened.
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      const v = validateReport(report);
      expect(v.ok ? [] : v.errors).toEqual([]);
      expect(report.scenarios[0]?.name).toBe(name);
      expect(report.scenarios[0]?.failure).toMatchObject({ kind: 'aborted', repetition: 1 });
      expect(existsSync(join(out, 'junit.xml'))).toBe(true);
      expect(k.stdout()).toContain(join(out, 'report.json'));

      // Nothing left: workload, bpftrace (and its watchdog shell), cgroups, BPF programs.
      expect(processesWithArgv('sleep', seconds)).toEqual([]);
      expect(bpftraceOf(pid)).toEqual([]);
      expect(runCgroupsOf(pid)).toEqual([]);
      await expectProgsUnloaded(progIds);
    });
  }

  it('a second SIGINT during the orderly stop: kdelta dies of it at once, the workload and bpftrace are gone, the next run sweeps the cgroup', async () => {
    const file = await longScenario('impatient', '980');
    const k = spawnKdelta(['run', file, '--out', join(dir.path, 'impatient-out'), '--baselines', join(dir.path, 'baselines')], { env: BPFTRACE });
    const pid = k.child.pid!;
    const { progIds } = await whileRunning(k, ['sleep', '980']);
    k.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 200));
    const second = Date.now();
    k.child.kill('SIGINT');
    const exit = await k.exited;
    expect(exit.signal, k.rawStderr()).toBe('SIGINT');
    expect(Date.now() - second).toBeLessThan(1000);
    expect(k.rawStderr()).toContain('kdelta: SIGINT again: stopping now, without writing reports');
    expect(processesWithArgv('sleep', '980')).toEqual([]);
    await waitFor(() => bpftraceOf(pid).length === 0, 'bpftrace of the impatient kdelta to stop', 10_000, 100);
    await expectProgsUnloaded(progIds);
    const next = await runCli(['run', join(dir.path, 'next.yaml'), '--out', join(dir.path, 'next-out2'), '--baselines', join(dir.path, 'baselines')]);
    expect(next.code, next.stderr).toBe(0);
    expect(runCgroupsOf(pid)).toEqual([]);
  });

  it('SIGKILL: the workload dies within two seconds (cgexec watchdog), bpftrace exits by itself, and the next kdelta run sweeps the orphan cgroup', async () => {
    const file = await longScenario('killed-hard', '982');
    const k = spawnKdelta(['run', file, '--out', join(dir.path, 'killed-out'), '--baselines', join(dir.path, 'baselines')], { env: BPFTRACE });
    const pid = k.child.pid!;
    const { progIds, workload } = await whileRunning(k, ['sleep', '982']);
    expect(workload.length).toBeGreaterThan(0);

    k.child.kill('SIGKILL');
    await k.exited;
    // Nobody ran a handler, but the watchdog kdelta-cgexec left outside the cgroup saw kdelta's
    // socket close and killed the cgroup: the workload is gone without waiting for another run.
    await waitFor(() => processesWithArgv('sleep', '982').length === 0, 'the watchdog to kill the workload of the killed kdelta', 2_000, 50);
    const orphans = runCgroupsOf(pid);
    expect(orphans).toHaveLength(1);

    // The next run (any scenario) removes the empty orphan cgroup. It starts at once: any kdelta
    // run sweeps, so another one on this machine could otherwise get there first.
    const next = await runCli(['run', join(dir.path, 'next.yaml'), '--out', join(dir.path, 'next-out'), '--baselines', join(dir.path, 'baselines')]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`removed ${join(cgroup2(), orphans[0]!)}, left by a kdelta that was killed`);
    expect(runCgroupsOf(pid)).toEqual([]);

    // Nobody stopped bpftrace (it is in no cgroup of ours): it sees its pipe close and stops
    // by itself within the watchdog's grace period, and its programs are unloaded.
    await waitFor(() => bpftraceOf(pid).length === 0, 'the bpftrace of the killed kdelta to exit by itself', 15_000, 100);
    await expectProgsUnloaded(progIds);
  });
});

/** Open files of a process, as paths (its fds in /proc). */
function openFiles(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

interface Stage {
  name: string;
  /** Writes what the run needs; returns the argument to `kdelta run`. */
  setup: (stageDir: string) => Promise<string>;
  env?: NodeJS.ProcessEnv;
  /** Truthy once kdelta (this pid) is inside the stage. */
  inside: (pid: number, stageDir: string) => unknown;
  /** Processes of the stage that must be gone after the exit. */
  leftovers: (pid: number) => unknown[];
  /** Whether the stage comes before any measurement (then no reports are written). */
  beforeMeasuring?: boolean;
}

const yamlOf = (name: string, workload: string, collect = '  proc: false\n  ebpf: false', counts = 'repetitions: 2\nwarmup: 0') => `name: ${name}\nworkload:\n${workload}\n${counts}\ncollect:\n${collect}\n`;
const byArgv = (word: string) => () => processes().filter((p) => p.argv.some((a) => a.includes(word)));
const captureOf = (path: string) => (pid: number) => processes().filter((p) => p.argv[0] === path && readFileSync(`/proc/${p.pid}/stat`, 'utf8').split(' ')[3] === String(pid));

const STAGES: Stage[] = [
  {
    name: 'loading a folder of large scenario files',
    beforeMeasuring: true,
    async setup(stageDir) {
      // 40 files of 1 MiB (the bound), which take seconds to parse: the signal comes while the folder is being read.
      const pad = `# ${'x'.repeat(78)}\n`.repeat(12_900);
      for (let i = 0; i < 40; i++) await writeScenario(stageDir, `s${String(i).padStart(2, '0')}.yaml`, yamlOf(`big-${i}`, '  builtin: { name: syscall-loop, count: 100 }') + pad);
      return stageDir;
    },
    inside: (pid, stageDir) => openFiles(pid).some((f) => f.startsWith(stageDir)),
    leftovers: () => [],
  },
  {
    name: 'creating eleven thousand cgroups',
    setup: async (stageDir) => writeScenario(stageDir, 'many.yaml', yamlOf('many-cgroups', '  command: [sleep, "0.01"]', undefined, 'repetitions: 10000\nwarmup: 1000')),
    inside: (pid) => runCgroupsOf(pid).length > 0,
    leftovers: () => [],
  },
  {
    name: 'the bpftrace capture starting',
    env: BPFTRACE,
    setup: async (stageDir) => writeScenario(stageDir, 'bt.yaml', yamlOf('bt-start', '  command: [sleep, "0.1"]', '  proc: false\n  ebpf: { ready_delay: true, syscalls: true, irq: true }')),
    inside: (pid) => bpftraceOf(pid).some((p) => p.argv[0]?.endsWith('bpftrace')),
    leftovers: (pid) => bpftraceOf(pid),
  },
  {
    name: 'the libbpf capture starting',
    env: plainEnv({ KDELTA_EBPF: 'libbpf' }),
    setup: async (stageDir) => writeScenario(stageDir, 'lb.yaml', yamlOf('lb-start', '  command: [sleep, "0.1"]', '  proc: false\n  ebpf: { ready_delay: true, syscalls: true, irq: true }')),
    inside: (pid) => captureOf(join(repoRoot, 'helpers/bin/kdelta-bpf'))(pid).length > 0,
    leftovers: (pid) => [...captureOf(join(repoRoot, 'helpers/bin/kdelta-bpf'))(pid), ...readdirSync(cgroup2()).filter((n) => n === `kdelta-calib-${pid}`)],
  },
  {
    name: 'listing the tasks of a tinybench module that never finishes importing',
    async setup(stageDir) {
      // A top-level await that never settles: the import the listing does never ends.
      await writeScenario(stageDir, 'forever.mjs', 'await new Promise(() => setInterval(() => undefined, 1000));\nexport function task() {}\n');
      return writeScenario(stageDir, 'tb.yaml', yamlOf('tb-list', '  tinybench: { module: forever.mjs }'));
    },
    inside: () => byArgv('forever.mjs')().some((p) => p.argv.includes('--list')),
    leftovers: () => byArgv('forever.mjs')(),
  },
  {
    name: 'waiting for a service that never gets ready',
    setup: async (stageDir) => writeScenario(stageDir, 'svc.yaml', yamlOf('svc-wait', '  service:\n    command: [sleep, "975"]\n    ready: { tcp: "127.0.0.1:18479" }\n    timeout: 60s\n  command: ["true"]')),
    inside: () => processesWithArgv('sleep', '975').length > 0,
    leftovers: () => processesWithArgv('sleep', '975'),
  },
];

describe('the first SIGINT/SIGTERM stops the stage that is running', () => {
  for (const [i, stage] of STAGES.entries()) {
    const [signal, code] = i % 2 === 0 ? (['SIGTERM', 143] as const) : (['SIGINT', 130] as const);
    it(`${stage.name}: ${signal} ends it at once, exit ${code}, nothing left`, async () => {
      const stageDir = join(dir.path, `stage-${i}`);
      mkdirSync(stageDir);
      const target = await stage.setup(stageDir);
      const out = join(dir.path, `stage-${i}-out`);
      const k = spawnKdelta(['run', target, '--out', out, '--baselines', join(dir.path, 'baselines')], { ...(stage.env && { env: stage.env }) });
      const pid = k.child.pid!;
      let ended = false;
      void k.exited.then(() => (ended = true));
      await waitFor(() => {
        if (ended) throw new Error(`kdelta ended before the stage:\n${k.rawStderr()}`);
        return stage.inside(pid, stageDir);
      }, stage.name, 60_000, 10);
      const sent = Date.now();
      k.child.kill(signal);
      const exit = await k.exited;
      // Generous for a loaded machine; each stage left alone takes far longer (or forever).
      expect(Date.now() - sent, k.rawStderr()).toBeLessThan(8_000);
      expect(exit.code, k.rawStderr()).toBe(code);
      if (stage.beforeMeasuring) {
        expect(k.rawStderr()).toContain('interrupted before anything was measured');
      } else {
        const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as StoredReport;
        expect(report.scenarios[0]?.failure).toMatchObject({ kind: 'aborted' });
      }
      expect(runCgroupsOf(pid)).toEqual([]);
      await waitFor(() => stage.leftovers(pid).length === 0, `nothing left of ${stage.name}`, 5_000, 50).catch(() => undefined);
      expect(stage.leftovers(pid), stage.name).toEqual([]);
    }, 120_000);
  }
});
