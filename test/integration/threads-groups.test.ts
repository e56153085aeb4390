import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SLOTS } from '../../src/collect/bpf/timeline.js';
import type { RepetitionCapture } from '../../src/collect/types.js';
import { libbpfGroupsSetup, type GroupsRun } from './groups-support.js';
import type { EbpfSpec } from '../../src/scenario/types.js';

const CALLS = 100_000;

const groups = libbpfGroupsSetup('threads');

const captureGroups = (spec: EbpfSpec, argv: string[]): Promise<GroupsRun> => groups.capture(spec, argv);

const value = (c: RepetitionCapture, name: string): number => {
  const m = c.metrics.find((p) => p.name === name);
  if (!m) throw new Error(`${name} missing; have ${c.metrics.map((p) => p.name).filter((n) => n.startsWith('thread.')).join(', ')}`);
  return m.value;
};

const THREADS: EbpfSpec = { readyDelay: true, irq: true, threads: true, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };

describe('per thread group capture (libbpf) against kdelta-groups', () => {
  let run: { capture: RepetitionCapture; own: Map<string, number> };
  beforeAll(async () => {
    // 2 x 100000 calls give beta (whose busy windows are wall time, short of CPU on a loaded
    // machine) enough CPU time that its thread start and exit, which the thread's own
    // schedstat cannot see, stay well under 5%.
    run = await captureGroups(THREADS, [String(CALLS), '200', '10', '5']);
  }, 60_000);

  it('counts each group its own syscalls exactly: alpha 2 x calls getppid, beta 2 x calls + 200 geteuid', () => {
    expect(run.capture.lost).toEqual([]);
    expect(value(run.capture, 'thread.alpha*.syscall.getppid.count')).toBe(2 * CALLS);
    expect(value(run.capture, 'thread.beta*.syscall.geteuid.count')).toBe(2 * CALLS + 200);
    expect(run.capture.metrics.some((m) => m.name === 'thread.beta*.syscall.getppid.count')).toBe(false);
  });

  it('measures each group run time within 5% of the CPU time its threads read from their own schedstat', () => {
    for (const g of ['alpha', 'beta']) {
      const own = run.own.get(`${g}.run_ns`)!;
      expect(own).toBeGreaterThan(0);
      const ratio = value(run.capture, `thread.${g}*.run.total`) / own;
      expect(Math.abs(ratio - 1), `${g}: kdelta / schedstat = ${ratio.toFixed(4)}`).toBeLessThan(0.05);
    }
  });

  it('gives the workload as a whole at least the run time of its groups', () => {
    expect(value(run.capture, 'sched.run.total')).toBeGreaterThanOrEqual(value(run.capture, 'thread.alpha*.run.total') + value(run.capture, 'thread.beta*.run.total'));
    expect(value(run.capture, 'thread.alpha*.run.min')).toBeLessThanOrEqual(value(run.capture, 'thread.alpha*.run.max'));
  });

  it('names groups by collect.roles before folding digits', async () => {
    const roles = [
      { pattern: 'alpha*', role: 'compute' },
      { pattern: '/^beta[0-9]$/', role: 'io' },
    ];
    const r = await captureGroups({ ...THREADS, roles }, ['1000', '20', '0', '0']);
    expect(value(r.capture, 'thread.compute.syscall.getppid.count')).toBe(2000);
    expect(value(r.capture, 'thread.io.syscall.geteuid.count')).toBe(2200);
    expect(r.capture.metrics.some((m) => m.name.startsWith('thread.alpha*.'))).toBe(false);
  }, 60_000);
});

describe('scheduling timeline (libbpf) against kdelta-groups', () => {
  it('puts as much on-CPU time in the slots of each group as its run total, within 1%', async () => {
    const r = await captureGroups({ ...THREADS, timeline: true }, ['1000', '300', '0', '0']);
    const tl = r.capture.tables?.timeline;
    if (!tl) throw new Error('no timeline in the capture');
    expect(tl.lost).toBe(0);
    expect(tl.slots).toBeGreaterThanOrEqual(20);
    expect(tl.slots).toBeLessThanOrEqual(MAX_SLOTS);
    for (const g of ['alpha*', 'beta*']) {
      const row = tl.groups.find((x) => x.name === g)!;
      const onCpu = row.onCpuNs.flat().reduce((a, b) => a + b, 0);
      expect(Math.abs(onCpu / value(r.capture, `thread.${g}.run.total`) - 1)).toBeLessThan(0.01);
      // A thread renamed while on the CPU switched in under its old name: one switch short each.
      const switches = row.switches.flat().reduce((a, b) => a + b, 0);
      const periods = value(r.capture, `thread.${g}.run.count`);
      expect(switches).toBeLessThanOrEqual(periods);
      expect(switches).toBeGreaterThanOrEqual(periods - (g === 'alpha*' ? 2 : 1));
    }
  }, 60_000);

  it('merges 10 ms kernel slots so that a long repetition keeps at most MAX_SLOTS (100)', async () => {
    // 3 s of CPU time per alpha thread: past 1 s of wall time whatever else the machine does, so over 100 slots of 10 ms.
    const r = await captureGroups({ ...THREADS, timeline: true }, ['1000', '3000', '0', '0']);
    const tl = r.capture.tables!.timeline!;
    expect(tl.slotNs).toBeGreaterThan(10_000_000);
    expect(tl.slots).toBeLessThanOrEqual(MAX_SLOTS);
    expect(tl.groups.every((g) => g.onCpuNs.every((row) => row.length === tl.slots))).toBe(true);
  }, 60_000);
});

