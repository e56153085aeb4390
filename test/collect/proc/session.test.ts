import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProcSession, procAvailability } from '../../../src/collect/proc/session.js';
import type { MachineFacts } from '../../../src/environment/types.js';
import { machineFacts } from '../../fixtures/machine-facts.js';
import type { IrqTable } from '../../../src/collect/proc/irq-table.js';

// Two nodes, so the per-node split is exercised; no eBPF tools, as on a machine without them.
const facts: MachineFacts = machineFacts({
  bpftrace: null,
  tracefs: null,
  cgroup2: '/sys/fs/cgroup',
  cpuNode: { 0: 0, 1: 1 },
  numaNodes: [0, 1],
  kernelRelease: '6.18.0',
  cpuModel: 'test',
});

const interrupts = (a: number, b: number) => `           CPU0       CPU1\n 36:  ${a}  ${b}  PCI-MSIX-0000:00:02.0   1-edge      virtio1-req.0\nLOC:  1  1  Local timer interrupts\n`;
const pressure = (us: number) => `some avg10=0.00 avg60=0.00 avg300=0.00 total=${us}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`;
const status = (vol: number, invol: number) => `Name:\tworker\nvoluntary_ctxt_switches:\t${vol}\nnonvoluntary_ctxt_switches:\t${invol}\n`;

describe('createProcSession on a recorded /proc tree', () => {
  let dir: string;
  let proc: string;
  let cg: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdelta-proc-'));
    proc = join(dir, 'proc');
    cg = join(dir, 'cgroup');
    await mkdir(join(proc, 'pressure'), { recursive: true });
    await mkdir(cg);
    await writeFile(join(proc, 'interrupts'), interrupts(100, 200));
    await writeFile(join(proc, 'softirqs'), '      CPU0 CPU1\n  NET_RX:  5  5\n');
    await writeFile(join(proc, 'stat'), 'ctxt 1000\nintr 50\nprocs_running 1\nprocs_blocked 0\n');
    await writeFile(join(proc, 'pressure/cpu'), pressure(0));
    await writeFile(join(cg, 'cpu.pressure'), pressure(0));
    await writeFile(join(cg, 'cpu.stat'), 'usage_usec 0\n');
    await writeFile(join(cg, 'cgroup.threads'), '');
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('turns what changed between the snapshots into metrics, keeping a thread that exited before the end', async () => {
    const s = createProcSession({ intervalMs: 10 }, facts, { roots: { proc, sys: join(dir, 'sys') } });
    const rep = { index: 0, warmup: false, cgroup: { path: cg, id: 1n } };
    await s.start([rep]);
    await s.beforeRepetition(rep);
    // A thread is born, polled, and exits.
    await mkdir(join(proc, '77'));
    await writeFile(join(proc, '77/schedstat'), '5000 4000 3\n');
    await writeFile(join(proc, '77/status'), status(2, 5));
    await writeFile(join(cg, 'cgroup.threads'), '77\n');
    await new Promise((r) => setTimeout(r, 80));
    await writeFile(join(cg, 'cgroup.threads'), '');
    await rm(join(proc, '77'), { recursive: true });
    await writeFile(join(proc, 'interrupts'), interrupts(100, 230));
    await writeFile(join(proc, 'softirqs'), '      CPU0 CPU1\n  NET_RX:  9  5\n');
    await writeFile(join(proc, 'stat'), 'ctxt 1500\nintr 80\nprocs_running 3\nprocs_blocked 0\n');
    await writeFile(join(proc, 'pressure/cpu'), pressure(700));
    await writeFile(join(cg, 'cpu.pressure'), pressure(400));
    const cap = await s.afterRepetition(rep, { pid: null, threads: [] });
    await s.stop();
    await s.stop();

    const v = (name: string) => cap.metrics.find((m) => m.name === name)?.value;
    expect(v('irq.hard.virtio1-req.0.count')).toBe(30);
    expect(v('irq.node1.count')).toBe(30);
    expect(v('irq.node0.count')).toBe(0);
    expect(v('softirq.net_rx.count')).toBe(4);
    expect(v('system.context_switches')).toBe(500);
    expect(v('system.psi.cpu_some')).toBe(700);
    expect(v('sched.cgroup_pressure.some')).toBe(400);
    expect(v('sched.ready_delay.total')).toBe(4000);
    expect(v('sched.context_switches')).toBe(7);
    expect(cap.series!.length).toBeGreaterThanOrEqual(3);
    expect((cap.tables!['irq'] as IrqTable).rows[0]).toMatchObject({ name: 'virtio1-req.0', perNode: [0, 30] });
  });

  it('answers a repetition it never saw with a loss, not an exception', async () => {
    const s = createProcSession({ intervalMs: 10 }, facts, { roots: { proc, sys: join(dir, 'sys') } });
    const cap = await s.afterRepetition({ index: 3, warmup: false, cgroup: null }, { pid: null, threads: [] });
    expect(cap.lost).toHaveLength(1);
  });
});

describe('procAvailability', () => {
  it('is ready on a full machine with nothing to add', () => {
    expect(procAvailability(facts)).toEqual({ state: 'ready' });
  });

  it('stays ready without PSI, schedstat and cgroup v2, naming the metrics lost', () => {
    const a = procAvailability({ ...facts, psi: false, schedstat: false, cgroup2: null });
    expect(a.state).toBe('ready');
    const detail = a.state === 'ready' ? a.detail! : '';
    expect(detail).toContain('system.psi.cpu_some');
    expect(detail).toContain('sched.ready_delay.total');
    expect(detail).toContain('sched.context_switches');
  });
});
