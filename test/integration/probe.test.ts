import { describe, expect, test } from 'vitest';
import { mkdtemp, readFile, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { ensureTracefs, probeMachine } from '../../src/environment/probe.js';
import { tracefsMountPoints } from '../../src/kernel/tracefs.js';
import { fingerprint, machineSlug } from '../../src/environment/fingerprint.js';
import { runDoctor } from '../../src/doctor/doctor.js';

// These assert what this project's CI machine is: a 2-CPU, one-node VM, root, bpftrace 0.17,
// hybrid cgroups. A different machine fails them on purpose: they check the probe, not the host.
describe('probing this machine', () => {
  test('finds 2 CPUs, 1 NUMA node, cgroup2 under unified, bpftrace, BTF and schedstat', async () => {
    const facts = await probeMachine();
    expect(facts.onlineCpus).toEqual([0, 1]);
    expect(facts.numaNodes).toEqual([0]);
    expect(facts.cpuNode).toEqual({ 0: 0, 1: 0 });
    expect(facts.cgroup2).toBe('/sys/fs/cgroup/unified');
    expect(facts.bpftrace?.version).toMatch(/^\d+\.\d+/u);
    expect(facts.bpftrace?.path).toBe('/usr/bin/bpftrace');
    expect(facts.btf).toBe(true);
    expect(facts.schedstat).toBe(true);
    expect(facts.psi).toBe(true);
    expect(facts.isRoot).toBe(true);
    expect(facts.hasBpfCaps).toBe(true);
    expect(facts.arch).toBe('x86_64');
    expect(facts.kernelRelease).toMatch(/^6\./u);
  });

  test('after ensureTracefs, tracefs is mounted and the doctor calls bpftrace usable', async () => {
    const fixed = await ensureTracefs(await probeMachine());
    expect(fixed).toEqual({ mounted: true, path: '/sys/kernel/tracing' });
    const facts = await probeMachine();
    expect(facts.tracefs).toBe('/sys/kernel/tracing');
    const report = runDoctor(facts);
    expect(report.facts).toMatchObject({ cpus: 2, numaNodes: 1, cgroup2: '/sys/fs/cgroup/unified', bpftrace: { usable: true } });
  });

  test('when the doctor calls bpftrace usable, a tracepoint really attaches', async () => {
    const facts = await probeMachine();
    expect(runDoctor(facts).facts.bpftrace.usable).toBe(true);
    const { stdout } = await execa(facts.bpftrace?.path ?? 'bpftrace', ['-e', 'tracepoint:sched:sched_switch { printf("attached\\n"); exit(); }'], {
      timeout: 60_000,
    });
    expect(stdout).toContain('attached');
  });

  test('ensureTracefs really mounts tracefs where it is missing', async () => {
    // A private mount point, so the shared /sys/kernel/tracing other tests use is never touched.
    const target = await mkdtemp(join(tmpdir(), 'kdelta-tracefs-'));
    try {
      const facts = { ...(await probeMachine()), tracefs: null };
      expect(await ensureTracefs(facts, target)).toEqual({ mounted: true, path: target });
      expect(tracefsMountPoints(await readFile('/proc/self/mountinfo', 'utf8'))).toContain(target);
    } finally {
      await execa('umount', [target], { reject: false });
      await rmdir(target);
    }
  });

  test('a non-root caller is told to use sudo instead of a failed mount', async () => {
    const facts = { ...(await probeMachine()), tracefs: null, isRoot: false };
    expect(await ensureTracefs(facts, '/nonexistent')).toEqual({ mounted: false, error: 'needs root: run `sudo mount -t tracefs tracefs /nonexistent`' });
  });

  test('a mount that fails reports why', async () => {
    const facts = { ...(await probeMachine()), tracefs: null };
    const result = await ensureTracefs(facts, '/nonexistent/kdelta-tracefs');
    expect(result.mounted).toBe(false);
    expect(result.error).toMatch(/does not exist|No such file/iu);
  });

  test('the fingerprint names this machine class', async () => {
    const fp = await fingerprint(await probeMachine());
    expect(fp).toMatchObject({ arch: 'x86_64', cpuCount: 2, numaNodes: 1, smt: false, nodeVersion: process.version });
    expect(fp.irqAffinityDigest).toMatch(/^[0-9a-f]{16}$/u);
    // These VMs come as AMD EPYC or Intel Xeon; the slug must name whichever this one is.
    const vendor = /AMD/u.test(fp.cpuModel) ? 'amd-epyc' : 'intel-xeon';
    expect(fp.cpuModel).toMatch(/AMD EPYC|Intel\(R\) Xeon\(R\)/u);
    expect(machineSlug(fp)).toBe(`x86_64-2cpu-1node-${vendor}`);
  });
});
