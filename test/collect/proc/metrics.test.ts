import { describe, expect, it } from 'vitest';
import { parseInterrupts } from '../../../src/collect/proc/interrupts.js';
import { coefficientOfVariation, procCapture, type ProcRepetitionInput } from '../../../src/collect/proc/metrics.js';
import { parsePressure } from '../../../src/collect/proc/pressure.js';
import type { SystemSample } from '../../../src/collect/proc/snapshot.js';
import { parseSoftirqs } from '../../../src/collect/proc/softirqs.js';
import { parseProcStat } from '../../../src/collect/proc/stat.js';
import type { IrqTable } from '../../../src/collect/proc/irq-table.js';
import { fixture } from './fixture.js';

const empty = (t: number): SystemSample => ({ t, interrupts: null, softirqs: null, stat: null, psi: null, cgroupPressure: null, cgroupCpuStat: null, taskRunDelayNs: null });

function vmSample(phase: 'before' | 'after', t: number): SystemSample {
  return {
    ...empty(t),
    interrupts: parseInterrupts(fixture(`vm-2cpu/interrupts.${phase}.txt`)),
    softirqs: parseSoftirqs(fixture(`vm-2cpu/softirqs.${phase}.txt`)),
    stat: parseProcStat(fixture(`vm-2cpu/stat.${phase}.txt`)),
    psi: parsePressure(fixture(`vm-2cpu/pressure-cpu.${phase}.txt`)),
  };
}

const input = (samples: SystemSample[], over: Partial<ProcRepetitionInput> = {}): ProcRepetitionInput => ({
  samples,
  polled: null,
  reported: [],
  cpuNode: { 0: 0, 1: 0 },
  nodes: [0],
  skippedTicks: 0,
  ...over,
});

const value = (cap: ReturnType<typeof procCapture>, name: string) => cap.metrics.find((m) => m.name === name)?.value;

describe('procCapture on the recorded dsync run of this VM', () => {
  const cap = procCapture(input([vmSample('before', 0), vmSample('after', 0.5)]));

  it('names the block IRQ by its handler and counts its delta', () => {
    expect(value(cap, 'irq.hard.virtio1-req.0.count')).toBe(358);
  });

  it('counts per CPU and per node from numbered IRQs only', () => {
    expect(value(cap, 'irq.cpu0.count')! + value(cap, 'irq.cpu1.count')!).toBe(value(cap, 'irq.node0.count'));
    expect(value(cap, 'irq.node0.share')).toBe(1);
    expect(value(cap, 'irq.cpu1.count')).toBe(358);
  });

  it('reports arch rows separately under irq.arch', () => {
    expect(value(cap, 'irq.arch.LOC.count')).toBe(32 + 25);
    expect(value(cap, 'irq.arch.CAL.count')).toBe(142 + 2);
    expect(value(cap, 'irq.arch.ERR.count')).toBe(0);
  });

  it('lower-cases softirq vectors', () => {
    expect(value(cap, 'softirq.block.count')).toBeGreaterThan(0);
    expect(cap.metrics.filter((m) => m.name.startsWith('softirq.')).map((m) => m.name)).toContain('softirq.net_rx.count');
  });

  it('takes system context from /proc/stat and PSI', () => {
    const before = parseProcStat(fixture('vm-2cpu/stat.before.txt'))!;
    const after = parseProcStat(fixture('vm-2cpu/stat.after.txt'))!;
    expect(value(cap, 'system.context_switches')).toBe(after.ctxt - before.ctxt);
    expect(value(cap, 'system.procs_running.max')).toBe(Math.max(before.procsRunning, after.procsRunning));
    const psiBefore = parsePressure(fixture('vm-2cpu/pressure-cpu.before.txt'))!;
    const psiAfter = parsePressure(fixture('vm-2cpu/pressure-cpu.after.txt'))!;
    expect(cap.metrics.find((m) => m.name === 'system.psi.cpu_some')).toMatchObject({ unit: 'us', value: psiAfter.some.totalUs - psiBefore.some.totalUs });
  });

  it('marks counts as zero when absent and leaves ratios alone', () => {
    expect(cap.metrics.find((m) => m.name === 'irq.cpu0.count')!.zeroWhenAbsent).toBe(true);
    expect(cap.metrics.find((m) => m.name === 'irq.node0.share')!.zeroWhenAbsent).toBeUndefined();
  });

  it('builds the irqstat table with the block IRQ on top', () => {
    const table = cap.tables!['irq'] as IrqTable;
    expect(table.nodes).toEqual([0]);
    expect(table.rows[0]).toEqual({ irq: '36', name: 'virtio1-req.0', total: 358, perNode: [358] });
    expect(table.perCpu.map((c) => c.cpu)).toEqual([0, 1]);
  });

  it('loses nothing', () => {
    expect(cap.lost).toEqual([]);
  });
});

describe('procCapture on a 64-CPU, 4-node machine (synthetic)', () => {
  const nodeOf = JSON.parse(fixture('x86-64cpu-4node/node-of-cpu.json')) as Record<number, number>;
  const before = parseInterrupts(fixture('x86-64cpu-4node/interrupts.before.txt'));
  const after = parseInterrupts(fixture('x86-64cpu-4node/interrupts.after.txt'));
  const cap = procCapture(input([{ ...empty(0), interrupts: before }, { ...empty(1), interrupts: after }], { cpuNode: nodeOf, nodes: [0, 1, 2, 3] }));

  it('sums each node over its CPUs, SMT siblings included', () => {
    for (const node of [0, 1, 2, 3]) {
      const cpus = Object.entries(nodeOf).filter(([, n]) => n === node).map(([c]) => Number(c));
      expect(cpus).toHaveLength(16);
      const sum = cpus.reduce((a, c) => a + value(cap, `irq.cpu${c}.count`)!, 0);
      expect(value(cap, `irq.node${node}.count`)).toBe(sum);
    }
    const shares = [0, 1, 2, 3].map((n) => value(cap, `irq.node${n}.share`)!);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('counts the wrapped NVMe queue on its one CPU and node and says it wrapped', () => {
    expect(value(cap, 'irq.hard.nvme0q5.count')).toBe(496);
    const table = cap.tables!['irq'] as IrqTable;
    expect(table.rows.find((r) => r.name === 'nvme0q5')!.perNode).toEqual([0, 0, 496, 0]);
    expect(cap.notes.some((n) => n.includes('105 nvme0q5@cpu20'))).toBe(true);
  });

  it('sanitizes handler names into one metric segment', () => {
    expect(cap.metrics.map((m) => m.name)).toEqual(expect.arrayContaining(['irq.hard.PCIe_PME_pciehp.count', 'irq.hard.ahci_0000_00_17.0.count']));
  });

  it('calls an IRQ without a handler irq<N>', () => {
    expect(value(cap, 'irq.hard.irq28.count')).toBeGreaterThan(0);
  });

  it('keeps a bounded irqstat table sorted by total', () => {
    const rows = (cap.tables!['irq'] as IrqTable).rows;
    expect(rows.length).toBeLessThanOrEqual(50);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.total).toBeGreaterThanOrEqual(rows[i]!.total);
    for (const r of rows) expect(r.perNode.reduce((a, b) => a + b, 0)).toBe(r.total);
  });
});

describe('procCapture across hotplug and new rows (synthetic)', () => {
  const cap = procCapture(
    input(
      [
        { ...empty(0), interrupts: parseInterrupts(fixture('x86-8cpu-hotplug/interrupts.before.txt')) },
        { ...empty(1), interrupts: parseInterrupts(fixture('x86-8cpu-hotplug/interrupts.after.txt')) },
      ],
      { cpuNode: { 0: 0, 1: 0, 2: 0, 3: 0, 4: 1, 5: 1, 6: 1, 7: 1 }, nodes: [0, 1] },
    ),
  );

  it('counts the new IRQ and reports the vanished one and the CPUs as lost', () => {
    expect(value(cap, 'irq.hard.vfio-msix_0_0000_af_00.0.count')).toBe(17);
    expect(cap.lost.some((l) => l.includes('41 eth0-TxRx-1'))).toBe(true);
    expect(cap.lost.some((l) => l.startsWith('CPU 6 went offline'))).toBe(true);
    expect(cap.lost.some((l) => l.startsWith('CPU 5 came online'))).toBe(true);
  });

  it('emits per-CPU counts only for CPUs compared', () => {
    expect(cap.metrics.filter((m) => /^irq\.cpu\d+\.count$/.test(m.name)).map((m) => m.name)).toEqual(['irq.cpu0.count', 'irq.cpu1.count', 'irq.cpu3.count', 'irq.cpu4.count', 'irq.cpu7.count']);
  });
});

describe('procCapture over several samples', () => {
  it('keeps the counts of a row that vanished before the last snapshot', () => {
    const t = (name: string, n: number) => parseInterrupts(`      CPU0\n 40:  ${n}  PCI-MSI 1-edge  ${name}\n`);
    const cap = procCapture(
      input([
        { ...empty(0), interrupts: t('eth0', 100) },
        { ...empty(0.1), interrupts: t('eth0', 160) },
        { ...empty(0.2), interrupts: parseInterrupts('      CPU0\nLOC:  5  Local timer interrupts\n') },
      ], { cpuNode: { 0: 0 } }),
    );
    expect(value(cap, 'irq.hard.eth0.count')).toBe(60);
    expect(cap.series!.map((s) => s.values['irq.cpu0.count'])).toEqual([undefined, 60, undefined]);
  });

  it('takes procs_running.max over every sample', () => {
    const stat = (r: number) => parseProcStat(`ctxt 10\nintr 1\nprocs_running ${r}\nprocs_blocked 0\n`);
    const cap = procCapture(input([{ ...empty(0), stat: stat(1) }, { ...empty(0.1), stat: stat(7) }, { ...empty(0.2), stat: stat(2) }]));
    expect(value(cap, 'system.procs_running.max')).toBe(7);
  });

  it('says what is missing when no file could be read', () => {
    const cap = procCapture(input([empty(0), empty(1)]));
    expect(cap.metrics).toEqual([]);
    expect(cap.lost.length).toBeGreaterThanOrEqual(3);
  });
});

describe('procCapture for the workload threads', () => {
  const two = [empty(0), empty(1)];
  const polled = { runNs: 5e9, runDelayNs: 3e9, timeslices: 100, voluntary: 4, involuntary: 96, threadsSeen: 5, withSchedstat: 5, withStatus: 5 };

  it('prefers the run delay the workload reported, and says it is exact', () => {
    const cap = procCapture(input(two, { polled, reported: [{ tid: 1, comm: 'w', runDelayNs: 700, runNs: 1, timeslices: 1 }, { tid: 2, comm: 'w', runDelayNs: 300, runNs: 1, timeslices: 1 }] }));
    expect(cap.metrics.find((m) => m.name === 'sched.ready_delay.total')).toMatchObject({ value: 1000, unit: 'ns', source: 'schedstat' });
    expect(cap.notes.some((n) => n.includes('(exact)'))).toBe(true);
  });

  it('falls back to the polled run delay, and says it is approximate', () => {
    const cap = procCapture(input(two, { polled }));
    expect(value(cap, 'sched.ready_delay.total')).toBe(3e9);
    expect(cap.notes.some((n) => n.includes('approximate'))).toBe(true);
    expect(value(cap, 'sched.context_switches')).toBe(100);
    expect(value(cap, 'sched.context_switches.voluntary')).toBe(4);
    expect(value(cap, 'sched.context_switches.involuntary')).toBe(96);
  });

  it('names the figure sched.run_delay.total when eBPF owns sched.ready_delay.total', () => {
    const cap = procCapture(input(two, { polled, readyDelay: false }));
    expect(value(cap, 'sched.ready_delay.total')).toBeUndefined();
    expect(cap.metrics.find((m) => m.name === 'sched.run_delay.total')).toMatchObject({ value: 3e9, source: 'schedstat' });
  });

  it('reports a workload the poll never saw as lost rather than as zero switches', () => {
    const cap = procCapture(input(two, { polled: { ...polled, threadsSeen: 0, withSchedstat: 0, withStatus: 0 } }));
    expect(value(cap, 'sched.context_switches')).toBeUndefined();
    expect(cap.lost.some((l) => l.includes('sched.context_switches'))).toBe(true);
  });

  it('takes cgroup pressure and CPU time as deltas', () => {
    const cg = (some: number, usage: number): Partial<SystemSample> => ({
      cgroupPressure: parsePressure(`some avg10=0.00 avg60=0.00 avg300=0.00 total=${some}\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n`),
      cgroupCpuStat: { usage_usec: usage },
    });
    const cap = procCapture(input([{ ...empty(0), ...cg(10, 5) }, { ...empty(1), ...cg(510, 2005) }]));
    expect(cap.metrics.find((m) => m.name === 'sched.cgroup_pressure.some')).toMatchObject({ value: 500, unit: 'us', source: 'cgroup-psi' });
    expect(cap.metrics.find((m) => m.name === 'sched.cpu_time')).toMatchObject({ value: 2_000_000, unit: 'ns' });
  });
});

describe('coefficientOfVariation', () => {
  it('is 0 for an even spread and grows with imbalance', () => {
    expect(coefficientOfVariation([5, 5, 5, 5])).toBe(0);
    expect(coefficientOfVariation([10, 0])).toBe(1);
  });
  it('has no value when nothing happened', () => {
    expect(coefficientOfVariation([0, 0])).toBeNull();
  });
});
