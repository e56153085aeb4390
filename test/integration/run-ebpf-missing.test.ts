// A machine without bpftrace, simulated without touching this one: kdelta finds bpftrace on
// PATH (probe.ts findOnPath), so it runs here with a PATH where there is none. A scenario
// that requires eBPF exits 3 before anything runs; one that only asks for it runs with the
// eBPF metrics `unavailable` and the /proc metrics measured.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/schema.js';
import { hasStackTrace, plainEnv, requireBuild, runCgroupsOf, spawnKdelta, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };
let emptyBin = '';

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-run-noebpf-');
  emptyBin = join(dir.path, 'bin');
  await mkdir(emptyBin);
});
afterAll(async () => {
  await dir.remove();
});

// KDELTA_EBPF=bpftrace: the libbpf capture needs no bpftrace, so the bpftrace one is forced.
const noBpftrace = () => plainEnv({ PATH: emptyBin, KDELTA_EBPF: 'bpftrace' });

describe('kdelta run where bpftrace cannot be found', () => {
  it('a scenario that requires ebpf: exit 3 with the reason and the fix, before any scenario runs', async () => {
    const sc = join(dir.path, 'requires');
    await mkdir(sc);
    const ranFirst = join(dir.path, 'ran-first');
    const ranSecond = join(dir.path, 'ran-second');
    // The first scenario needs no eBPF, and still must not run: the check comes before anything.
    await writeScenario(sc, 'a.yaml', `name: needs-nothing
workload:
  command: [/usr/bin/touch, ${ranFirst}]
repetitions: 1
warmup: 0
`);
    await writeScenario(sc, 'b.yaml', `name: needs-ebpf
workload:
  command: [/usr/bin/touch, ${ranSecond}]
repetitions: 1
warmup: 0
collect:
  ebpf: { ready_delay: true, syscalls: true, irq: true }
  require: [ebpf]
`);
    const out = join(dir.path, 'out-requires');
    const k = spawnKdelta(['run', sc, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: noBpftrace() });
    const exit = await k.exited;
    const stderr = k.rawStderr();
    expect(exit.code, stderr).toBe(3);
    expect(stderr).toContain('scenario needs-ebpf requires the ebpf collector, which cannot run here: bpftrace is not installed');
    expect(stderr).toContain('fix: apt-get install bpftrace');
    expect(stderr).toContain(join(sc, 'b.yaml'));
    expect(hasStackTrace(stderr)).toBe(false);
    expect(stderr).not.toMatch(/repetitions/);
    expect(existsSync(ranFirst)).toBe(false);
    expect(existsSync(ranSecond)).toBe(false);
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    expect(runCgroupsOf(k.child.pid!)).toEqual([]);
    expect(k.stdout()).toBe('');
  });

  it('a scenario that only asks for ebpf: runs, eBPF metrics unavailable with the reason, /proc metrics measured', async () => {
    const file = await writeScenario(
      dir.path,
      'asks.yaml',
      `name: asks-for-ebpf
workload:
  builtin: { name: cpu-contention, threads: 1, duration: 300ms }
repetitions: 2
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
gate:
  metrics:
    workload.wall_time: {}
    sched.ready_delay.p99: {}
    syscall.getppid.count: {}
    system.context_switches: {}
`,
    );
    const out = join(dir.path, 'out-asks');
    const k = spawnKdelta(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: noBpftrace() });
    const exit = await k.exited;
    const stderr = k.rawStderr();
    expect(exit.code, stderr).toBe(0);
    expect(stderr).toMatch(/asks-for-ebpf: ebpf collector cannot run here: bpftrace is not installed/);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    const v = validateReport(report);
    expect(v.ok ? [] : v.errors).toEqual([]);
    const s = report.scenarios[0]!;
    expect(s.status).toBe('pass');
    const ebpf = s.collectors.find((c) => c.name === 'ebpf')!;
    expect(ebpf.enabled).toBe(true);
    expect(ebpf.availability).toMatchObject({ state: 'unavailable', reason: 'bpftrace is not installed', fix: 'apt-get install bpftrace' });
    expect(s.collectors.find((c) => c.name === 'proc')?.availability.state).toBe('ready');

    const metric = (n: string) => s.metrics.find((m) => m.name === n);
    for (const n of ['sched.ready_delay.p99', 'syscall.getppid.count']) {
      expect(metric(n)?.samples, n).toEqual([]);
      expect(metric(n)?.verdict?.status, n).toBe('unavailable');
      expect(metric(n)?.verdict?.message, n).toContain('bpftrace is not installed');
    }
    expect(s.metrics.some((m) => m.name.startsWith('syscall.') && m.samples.length > 0)).toBe(false);
    // /proc metrics are measured in every repetition (the workload outlives a few polls), the
    // schedstat ready delay among them.
    for (const n of ['workload.wall_time', 'system.context_switches', 'sched.ready_delay.total', 'sched.context_switches']) {
      expect(metric(n)?.samples, n).toHaveLength(2);
    }
    expect(metric('system.context_switches')?.verdict?.status).toBe('no-baseline');
  });

  describe('a bpftrace that is installed but cannot load the program (as under kernel lockdown)', () => {
    let fakeBin = '';
    beforeAll(async () => {
      fakeBin = join(dir.path, 'fake-bin');
      await mkdir(fakeBin);
      // Answers --version like bpftrace 0.17, so the probe finds it usable; refuses anything else.
      await writeFile(
        join(fakeBin, 'bpftrace'),
        '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "bpftrace v0.17.0"; exit 0; fi\necho "ERROR: h8 fake bpftrace refuses to load" >&2\nexit 1\n',
        { mode: 0o755 },
      );
    });
    const refusing = () => plainEnv({ PATH: `${fakeBin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, KDELTA_EBPF: 'bpftrace' });
    const scenario = (name: string, require: string) => `name: ${name}
workload:
  builtin: { name: cpu-contention, threads: 1, duration: 200ms }
repetitions: 2
warmup: 0
collect:
  proc: { interval: 100ms }
  ebpf: { ready_delay: true, syscalls: true, irq: true }
  require: [${require}]
gate:
  metrics:
    workload.wall_time: {}
    sched.ready_delay.p99: {}
`;

    it('not required: the run goes on, eBPF metrics unavailable with bpftrace\'s own reason, exit 0', async () => {
      const file = await writeScenario(dir.path, 'refused-optional.yaml', scenario('refused-optional', ''));
      const out = join(dir.path, 'out-refused');
      const k = spawnKdelta(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: refusing() });
      const exit = await k.exited;
      expect(exit.code, k.rawStderr()).toBe(0);
      expect(k.rawStderr()).toContain('refused-optional: the ebpf collector could not start');
      const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
      const s = report.scenarios[0]!;
      const ebpf = s.collectors.find((c) => c.name === 'ebpf')!;
      expect(ebpf.availability.state).toBe('unavailable');
      expect(ebpf.availability.state === 'unavailable' && ebpf.availability.reason).toContain('h8 fake bpftrace refuses to load');
      const delay = s.metrics.find((m) => m.name === 'sched.ready_delay.p99');
      expect(delay?.verdict?.status).toBe('unavailable');
      expect(delay?.verdict?.message).toContain('h8 fake bpftrace refuses to load');
      expect(s.metrics.find((m) => m.name === 'workload.wall_time')?.samples).toHaveLength(2);
      expect(s.metrics.find((m) => m.name === 'system.context_switches')?.samples).toHaveLength(2);
      expect(runCgroupsOf(k.child.pid!)).toEqual([]);
    });

    it('required: exit 3 naming the scenario and bpftrace\'s reason, no report, no cgroup left', async () => {
      const file = await writeScenario(dir.path, 'refused-required.yaml', scenario('refused-required', 'ebpf'));
      const out = join(dir.path, 'out-refused-required');
      const k = spawnKdelta(['run', file, '--out', out, '--baselines', join(dir.path, 'baselines')], { env: refusing() });
      const exit = await k.exited;
      const stderr = k.rawStderr();
      expect(exit.code, stderr).toBe(3);
      expect(stderr).toContain(`kdelta: ${file}: refused-required: eBPF capture: bpftrace could not load the program: h8 fake bpftrace refuses to load`);
      expect(hasStackTrace(stderr)).toBe(false);
      expect(stderr).not.toMatch(/repetition 1\/2 done/);
      expect(existsSync(join(out, 'report.json'))).toBe(false);
      expect(runCgroupsOf(k.child.pid!)).toEqual([]);
    });
  });
});
