import { randomBytes } from 'node:crypto';
import { readFile, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseInterrupts, type InterruptTable } from '../../src/collect/proc/interrupts.js';
import { metricSegment } from '../../src/collect/proc/names.js';
import { createProcSession, procAvailability } from '../../src/collect/proc/session.js';
import type { CgroupRef, RepetitionCapture } from '../../src/collect/types.js';
import type { MachineFacts } from '../../src/environment/types.js';
import { probeMachine } from '../../src/environment/probe.js';
import { createCgroup, removeCgroup } from '../../src/kernel/cgroup.js';
import { prepareWorkload } from '../../src/workload/prepare.js';

// Real-kernel tests of the /proc sampler. They run as root in CI and fail, never skip,
// when the machine lacks what they need (cgroup v2, schedstat, the tools).

let facts: MachineFacts;
const cgroups: string[] = [];
const files: string[] = [];

beforeAll(async () => {
  facts = await probeMachine();
  expect(facts.isRoot, 'these tests create cgroups and must run as root').toBe(true);
  expect(facts.cgroup2, 'no cgroup v2 mount found in /proc/self/mountinfo').not.toBeNull();
  expect(facts.schedstat, '/proc/self/schedstat is not readable (CONFIG_SCHED_INFO)').toBe(true);
});

afterEach(async () => {
  for (const path of cgroups.splice(0)) await removeCgroup(path);
  for (const path of files.splice(0)) await rm(path, { force: true });
});

async function newCgroup(): Promise<CgroupRef> {
  const path = join(facts.cgroup2!, `kdelta-test-${randomBytes(4).toString('hex')}`);
  cgroups.push(path);
  return createCgroup(path);
}

/** One repetition of `argv` in a fresh cgroup under the /proc sampler, as the runner drives it. */
async function sampledRepetition(argv: [string, ...string[]], intervalMs = 100): Promise<RepetitionCapture> {
  const cgroup = await newCgroup();
  const workload = await prepareWorkload({ kind: 'command', argv, env: {}, cwd: process.cwd(), timeoutMs: 60_000, metrics: [] });
  const session = createProcSession({ intervalMs }, facts);
  const rep = { index: 0, warmup: false, cgroup };
  try {
    await session.start([rep]);
    await session.beforeRepetition(rep);
    const outcome = await workload.run({ cgroup, signal: new AbortController().signal });
    expect(outcome.state, outcome.state === 'failed' ? `${outcome.message}\n${outcome.stderrTail}` : '').toBe('ok');
    return await session.afterRepetition(rep, outcome.state === 'ok' ? outcome.tasks : { pid: null, threads: [] });
  } finally {
    await session.stop();
  }
}

const valueOf = (cap: RepetitionCapture, name: string) => cap.metrics.find((m) => m.name === name)?.value;

/** The virtio (or NVMe) device behind a path, e.g. `virtio1`, from the block device's sysfs path. */
async function blockDeviceOf(path: string): Promise<string> {
  const st = await stat(path);
  const major = Math.floor(st.dev / 256) & 0xfff;
  const minor = (st.dev & 0xff) | ((st.dev >> 12) & 0xfff00);
  const sys = await realpath(`/sys/dev/block/${major}:${minor}`);
  const m = /\/(virtio\d+|nvme\d+)\//.exec(sys);
  if (!m) throw new Error(`${path} is on ${sys}, which is neither a virtio nor an NVMe disk`);
  return m[1]!;
}

/** Rows of /proc/interrupts that carry a block device's request queues (`virtio1-req.0`, `nvme0q3`). */
function queueRows(table: InterruptTable, device: string) {
  const re = device.startsWith('virtio') ? new RegExp(`^${device}-req`) : new RegExp(`^${device}q\\d+$`);
  return table.rows.filter((r) => r.kind === 'numbered' && re.test(r.name));
}

describe('the /proc sampler on the real kernel', () => {
  it('counts the block device IRQ of fsync-ed writes, matching a /proc/interrupts delta around the repetition', async () => {
    // /var/tmp is on the disk here (tmpfs would raise no block IRQ at all).
    const target = `/var/tmp/kdelta-proc-${randomBytes(4).toString('hex')}`;
    files.push(target);
    const device = await blockDeviceOf('/var/tmp');
    const outerBefore = parseInterrupts(await readFile('/proc/interrupts', 'utf8'));
    const rows = queueRows(outerBefore, device);
    expect(rows.length, `no /proc/interrupts row for ${device}'s request queues`).toBeGreaterThan(0);

    const cap = await sampledRepetition(['dd', 'if=/dev/zero', `of=${target}`, 'bs=4k', 'count=200', 'oflag=dsync']);
    const outerAfter = parseInterrupts(await readFile('/proc/interrupts', 'utf8'));

    const names = [...new Set(rows.map((r) => metricSegment(r.name)))];
    const sampled = names.reduce((a, n) => a + (valueOf(cap, `irq.hard.${n}.count`) ?? 0), 0);
    const outer = rows.reduce((a, r) => a + (outerAfter.rows.find((x) => x.key === r.key)!.total - r.total), 0);
    if (device === 'virtio1') expect(names).toContain('virtio1-req.0');
    // Each O_DSYNC write waits for its own completion, so at least one interrupt per write.
    expect(sampled).toBeGreaterThanOrEqual(200);
    // The outer reads bracket the sampler's own, so the sampler can only see less; the
    // difference is other processes' disk I/O (journal, writeback) in the few ms between them.
    expect(sampled).toBeLessThanOrEqual(outer);
    expect(outer - sampled).toBeLessThanOrEqual(10);
    // dd may finish before the first thread poll (it is then told in `lost` that its
    // context switches are unknown); nothing about interrupts may be lost.
    expect(cap.lost.filter((l) => !l.includes('sched.context_switches'))).toEqual([]);
    const perCpu = facts.onlineCpus.reduce((a, c) => a + valueOf(cap, `irq.cpu${c}.count`)!, 0);
    const perNode = facts.numaNodes.reduce((a, n) => a + valueOf(cap, `irq.node${n}.count`)!, 0);
    expect(perNode).toBe(perCpu);
    expect(perCpu).toBeGreaterThanOrEqual(sampled);
    expect(valueOf(cap, 'irq.imbalance')).toBeGreaterThanOrEqual(0);
  });

  it('is available with every feature on this machine', () => {
    expect(procAvailability(facts)).toEqual({ state: 'ready' });
  });

  it('sees loopback TCP traffic, which raises no hardware IRQ, in softirq.net_rx.count', async () => {
    const port = String(20000 + (randomBytes(2).readUInt16BE() % 20000));
    // --forceflush: without a terminal iperf3 holds "Server listening" in its stdio buffer.
    const server = execa('iperf3', ['-s', '-1', '--forceflush', '-B', '127.0.0.1', '-p', port], { reject: false });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('iperf3 -s did not say it was listening within 10 s')), 10_000);
        server.stdout!.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('listening')) {
            clearTimeout(timer);
            resolve();
          }
        });
        void server.then((r) => reject(new Error(`iperf3 -s ended before listening: ${String(r.stderr)}`)));
      });
      const cap = await sampledRepetition(['iperf3', '-c', '127.0.0.1', '-p', port, '-t', '1']);
      expect(valueOf(cap, 'softirq.net_rx.count')).toBeGreaterThan(100);
      expect(cap.series!.some((s) => (s.values['softirq.net_rx.count'] ?? 0) > 0)).toBe(true);
    } finally {
      server.kill();
      await server;
    }
  });

  it('measures clearly more schedstat ready delay with 4 busy threads on 2 CPUs than with 1', async () => {
    expect(facts.onlineCpus.length, 'the contention figures assume 2 CPUs').toBe(2);
    const one = await sampledRepetition(['stress-ng', '--cpu', '1', '-t', '2']);
    const four = await sampledRepetition(['stress-ng', '--cpu', '4', '-t', '2']);
    const delayOne = one.metrics.find((m) => m.name === 'sched.ready_delay.total')!;
    const delayFour = four.metrics.find((m) => m.name === 'sched.ready_delay.total')!;
    expect(delayFour).toMatchObject({ unit: 'ns', source: 'schedstat' });
    expect(four.notes.some((n) => n.includes('approximate'))).toBe(true);
    // 4 threads on 2 CPUs for 2 s: each waits about half the time, about 4 s in total.
    expect(delayFour.value).toBeGreaterThan(1e9);
    expect(delayFour.value).toBeGreaterThan(5 * delayOne.value);
    expect(valueOf(four, 'sched.context_switches.involuntary')!).toBeGreaterThan(valueOf(one, 'sched.context_switches.involuntary')!);
    expect(valueOf(four, 'sched.cgroup_pressure.some')!).toBeGreaterThan(valueOf(one, 'sched.cgroup_pressure.some')!);
    expect(valueOf(four, 'system.procs_running.max')!).toBeGreaterThanOrEqual(4);
  });
});
