import { describe, expect, it } from 'vitest';
import { diffInterrupts, parseInterrupts } from '../../../src/collect/proc/interrupts.js';
import { counterStep } from '../../../src/collect/proc/counters.js';
import { fixture } from './fixture.js';

describe('parseInterrupts on this VM (x86_64, 2 CPUs)', () => {
  const table = parseInterrupts(fixture('vm-2cpu/interrupts.before.txt'));

  it('takes the columns from the header', () => {
    expect(table.cpus).toEqual([0, 1]);
  });

  it('reads the virtio block queue with its chip, trigger and handler name', () => {
    const row = table.rows.find((r) => r.id === '36')!;
    expect(row).toMatchObject({ kind: 'numbered', chip: 'PCI-MSIX-0000:00:02.0', trigger: '1-edge', name: 'virtio1-req.0', handlers: ['virtio1-req.0'] });
    expect(row.perCpu).toHaveLength(2);
    expect(row.total).toBe(row.perCpu![0]! + row.perCpu![1]!);
  });

  it('reads arch rows after the numbered rows with their description', () => {
    const loc = table.rows.find((r) => r.id === 'LOC')!;
    expect(loc).toMatchObject({ kind: 'arch', name: 'Local timer interrupts' });
    expect(loc.perCpu).toHaveLength(2);
    expect(table.rows.map((r) => r.id)).toEqual(expect.arrayContaining(['NMI', 'RES', 'CAL', 'TLB', 'PIW']));
  });

  it('reads ERR and MIS as one-column rows', () => {
    const err = table.rows.find((r) => r.id === 'ERR')!;
    expect(err.perCpu).toBeNull();
    expect(err.total).toBe(0);
    expect(table.rows.find((r) => r.id === 'MIS')!.perCpu).toBeNull();
  });

  it('sees the dsync writes between the recorded snapshots on the block IRQ and nowhere unexpected', () => {
    const delta = diffInterrupts(table, parseInterrupts(fixture('vm-2cpu/interrupts.after.txt')));
    const blk = delta.rows.find((r) => r.row.name === 'virtio1-req.0')!;
    expect(blk.total).toBe(358);
    expect(delta.appeared).toEqual([]);
    expect(delta.vanished).toEqual([]);
    expect(delta.wrapped).toEqual([]);
  });
});

describe('parseInterrupts on a 64-CPU, 4-node x86_64 machine (synthetic)', () => {
  const before = parseInterrupts(fixture('x86-64cpu-4node/interrupts.before.txt'));
  const after = parseInterrupts(fixture('x86-64cpu-4node/interrupts.after.txt'));

  it('has 64 columns and every row', () => {
    expect(before.cpus).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(before.rows.filter((r) => r.kind === 'numbered')).toHaveLength(34);
    expect(before.rows.filter((r) => r.kind === 'arch')).toHaveLength(16);
    for (const r of before.rows) if (r.id !== 'ERR' && r.id !== 'MIS') expect(r.perCpu).toHaveLength(64);
  });

  it('keeps handler names with spaces and commas whole, split into handlers', () => {
    const pme = before.rows.find((r) => r.id === '24')!;
    expect(pme).toMatchObject({ chip: 'PCI-MSI', trigger: '458752-edge', name: 'PCIe PME, pciehp', handlers: ['PCIe PME', 'pciehp'] });
    expect(before.rows.find((r) => r.id === '16')!.handlers).toEqual(['ehci_hcd:usb1', 'i801_smbus']);
    expect(before.rows.find((r) => r.id === '26')!.name).toBe('ahci[0000:00:17.0]');
    expect(before.rows.find((r) => r.id === '120')!.name).toBe('mlx5_comp0@pci:0000:3b:00.0');
  });

  it('gives an IRQ without a handler an empty name', () => {
    expect(before.rows.find((r) => r.id === '28')).toMatchObject({ trigger: '19-fasteoi', name: '', handlers: [] });
  });

  it('counts a 32-bit counter that wrapped as the distance through 2^32', () => {
    const delta = diffInterrupts(before, after);
    const q5 = delta.rows.find((r) => r.row.name === 'nvme0q5')!;
    expect(q5.perCpu[20]).toBe(4294967296 - 4294967000 + 200);
    expect(q5.total).toBe(496);
    expect(delta.wrapped).toEqual(['105 nvme0q5@cpu20']);
  });

  it('diffs one-column rows by their single value', () => {
    const delta = diffInterrupts(before, after);
    const err = delta.rows.find((r) => r.row.id === 'ERR')!;
    expect(err).toMatchObject({ perCpu: [], total: 2 });
  });
});

describe('parseInterrupts on arm64 (synthetic, GICv3)', () => {
  const table = parseInterrupts(fixture('arm64-8cpu/interrupts.txt'));

  it('reads the Level/Edge trigger column and the names after it', () => {
    expect(table.rows.find((r) => r.id === '11')).toMatchObject({ chip: 'GICv3 30', trigger: 'Level', name: 'arch_timer' });
    expect(table.rows.find((r) => r.id === '15')!.name).toBe('kvm guest vtimer');
    expect(table.rows.find((r) => r.id === '48')).toMatchObject({ chip: 'ITS-MSI 524288', trigger: 'Edge', name: 'nvme0q0' });
    expect(table.rows.find((r) => r.id === '50')!.handlers).toEqual(['eth0-rx-0', 'eth0-tx-0']);
  });

  it('reads IPIn rows as arch rows with their description, and Err as one column', () => {
    const ipi3 = table.rows.find((r) => r.id === 'IPI3')!;
    expect(ipi3).toMatchObject({ kind: 'arch', name: 'CPU stop (for crash dump) interrupts' });
    expect(ipi3.perCpu).toHaveLength(8);
    expect(table.rows.find((r) => r.id === 'IPI1')!.total).toBe(8 * 2000 + 28);
    expect(table.rows.find((r) => r.id === 'Err')).toMatchObject({ perCpu: null, total: 0 });
  });
});

describe('diffInterrupts across CPU hotplug and changing rows (synthetic, 8 CPUs)', () => {
  const delta = diffInterrupts(
    parseInterrupts(fixture('x86-8cpu-hotplug/interrupts.before.txt')),
    parseInterrupts(fixture('x86-8cpu-hotplug/interrupts.after.txt')),
  );

  it('compares only CPUs online in both snapshots and names the others', () => {
    expect(delta.cpus).toEqual([0, 1, 3, 4, 7]);
    expect(delta.cpusCameOnline).toEqual([5]);
    expect(delta.cpusWentOffline).toEqual([6]);
  });

  it('aligns columns by CPU number, not by position', () => {
    expect(delta.rows.find((r) => r.row.name === 'timer')!.perCpu).toEqual([5, 5, 5, 5, 5]);
    expect(delta.rows.find((r) => r.row.id === 'LOC')!.total).toBe(25);
  });

  it('counts a new row from zero and reports the row that vanished', () => {
    expect(delta.appeared).toEqual(['130 vfio-msix[0](0000:af:00.0)']);
    expect(delta.rows.find((r) => r.row.id === '130')!.perCpu).toEqual([0, 0, 17, 0, 0]);
    expect(delta.vanished).toEqual(['41 eth0-TxRx-1']);
  });

  it('treats an IRQ number given to another handler as a new row', () => {
    const a = parseInterrupts('      CPU0\n 40:   900  PCI-MSI 1-edge  eth0\n');
    const b = parseInterrupts('      CPU0\n 40:    12  PCI-MSI 1-edge  nvme0q1\n');
    const d = diffInterrupts(a, b);
    expect(d.rows[0]!.total).toBe(12);
    expect(d.appeared).toEqual(['40 nvme0q1']);
    expect(d.vanished).toEqual(['40 eth0']);
  });
});

describe('counterStep', () => {
  it('is the plain difference when the counter grew', () => {
    expect(counterStep(10, 25)).toEqual({ kind: 'ok', delta: 15 });
  });
  it('is a wrap when the counter fell from near 2^32', () => {
    expect(counterStep(2 ** 32 - 10, 5)).toEqual({ kind: 'wrap', delta: 15 });
  });
  it('is a reset counted from zero when the counter fell from a small value', () => {
    expect(counterStep(1000, 5)).toEqual({ kind: 'reset', delta: 5 });
  });
});

describe('parseInterrupts on older formats', () => {
  it('reads the pre-3.x chip-edge trigger (as in the irqstat screenshot)', () => {
    const t = parseInterrupts('           CPU0       CPU1\n136:  337950405          0   PCI-MSI-edge      ahci\n');
    expect(t.rows[0]).toMatchObject({ chip: '', trigger: 'PCI-MSI-edge', name: 'ahci', total: 337950405 });
  });
  it('falls back to the last wide gap when the trigger is unknown', () => {
    const t = parseInterrupts('      CPU0\n  5:  7  weird-chip 12-mystery   my dev\n');
    expect(t.rows[0]!.name).toBe('my dev');
  });
});
