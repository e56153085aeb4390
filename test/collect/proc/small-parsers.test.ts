import { describe, expect, it } from 'vitest';
import { parseCgroupCpuStat } from '../../../src/collect/proc/cgroup-cpu-stat.js';
import { formatCpuList, parseCpuList } from '../../../src/kernel/cpulist.js';
import { metricSegment } from '../../../src/collect/proc/names.js';
import { parsePressure } from '../../../src/collect/proc/pressure.js';
import { diffSoftirqs, parseSoftirqs } from '../../../src/collect/proc/softirqs.js';
import { parseProcStat } from '../../../src/collect/proc/stat.js';
import { parseTaskSchedstat, parseTaskStatus } from '../../../src/kernel/task.js';
import { fixture } from './fixture.js';

describe('parseSoftirqs', () => {
  it('reads the ten vectors of this VM with a column per CPU', () => {
    const t = parseSoftirqs(fixture('vm-2cpu/softirqs.before.txt'));
    expect(t.cpus).toEqual([0, 1]);
    expect(t.rows.map((r) => r.vector)).toEqual(['HI', 'TIMER', 'NET_TX', 'NET_RX', 'BLOCK', 'IRQ_POLL', 'TASKLET', 'SCHED', 'HRTIMER', 'RCU']);
  });

  it('sees the recorded block I/O completions in BLOCK', () => {
    const d = diffSoftirqs(parseSoftirqs(fixture('vm-2cpu/softirqs.before.txt')), parseSoftirqs(fixture('vm-2cpu/softirqs.after.txt')));
    expect(d.rows.find((r) => r.row.vector === 'BLOCK')!.total).toBeGreaterThan(0);
  });

  it('reads 64 columns', () => {
    const t = parseSoftirqs(fixture('x86-64cpu-4node/softirqs.txt'));
    expect(t.cpus).toHaveLength(64);
    expect(t.rows).toHaveLength(10);
  });

  it('keeps the columns of possible-but-offline CPUs', () => {
    const t = parseSoftirqs(fixture('x86-8cpu-hotplug/softirqs.txt'));
    expect(t.cpus).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(t.rows.find((r) => r.vector === 'NET_RX')!.perCpu).toEqual([100, 101, 0, 103, 104, 105, 106, 107]);
  });
});

describe('parseProcStat', () => {
  it('reads ctxt, intr, procs_* and the per-CPU irq/softirq ticks of this VM', () => {
    const s = parseProcStat(fixture('vm-2cpu/stat.before.txt'))!;
    const text = fixture('vm-2cpu/stat.before.txt');
    expect(s.ctxt).toBe(Number(/^ctxt (\d+)/m.exec(text)![1]));
    expect(s.intrTotal).toBe(Number(/^intr (\d+)/m.exec(text)![1]));
    expect(s.procsRunning).toBeGreaterThanOrEqual(1);
    expect(s.cpus.map((c) => c.cpu)).toEqual([0, 1]);
    expect(s.softirqTotal).toBe(Number(/^softirq (\d+)/m.exec(text)![1]));
  });

  it('maps the cpuN columns by position', () => {
    const s = parseProcStat('cpu  1 2 3 4 5 6 7 8 0 0\ncpu3 10 20 30 40 50 60 70 80 0 0\nintr 9 1\nctxt 5\nprocs_running 2\nprocs_blocked 1\n')!;
    expect(s.cpus).toEqual([{ cpu: 3, user: 10, nice: 20, system: 30, idle: 40, iowait: 50, irq: 60, softirq: 70, steal: 80 }]);
    expect(s.softirqTotal).toBeNull();
  });

  it('returns null without ctxt', () => {
    expect(parseProcStat('intr 1\nprocs_running 1\nprocs_blocked 0\n')).toBeNull();
  });
});

describe('parsePressure', () => {
  it('reads some and full from /proc/pressure/cpu', () => {
    const p = parsePressure('some avg10=6.28 avg60=1.95 avg300=1.61 total=10231544\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')!;
    expect(p.some).toEqual({ avg10: 6.28, avg60: 1.95, avg300: 1.61, totalUs: 10231544 });
    expect(p.full!.totalUs).toBe(0);
  });

  it('reads a cgroup cpu.pressure recorded under CPU contention', () => {
    const p = parsePressure(fixture('vm-2cpu/cgroup-cpu.pressure.txt'))!;
    expect(p.some.totalUs).toBeGreaterThan(0);
  });

  it('has no full line on kernels before 5.13', () => {
    expect(parsePressure('some avg10=0.00 avg60=0.00 avg300=0.00 total=12\n')!.full).toBeNull();
  });

  it('returns null for a file that is not pressure', () => {
    expect(parsePressure('nonsense\n')).toBeNull();
  });
});

describe('parseCgroupCpuStat', () => {
  it('reads every key of the recorded cgroup', () => {
    const s = parseCgroupCpuStat(fixture('vm-2cpu/cgroup-cpu.stat.txt'));
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['usage_usec', 'user_usec', 'system_usec']));
    expect(s['usage_usec']).toBeGreaterThan(1_000_000);
  });

  it('keeps throttling keys present with the cpu controller', () => {
    expect(parseCgroupCpuStat('usage_usec 10\nnr_periods 4\nnr_throttled 2\nthrottled_usec 300\n')).toEqual({ usage_usec: 10, nr_periods: 4, nr_throttled: 2, throttled_usec: 300 });
  });
});

describe('task files', () => {
  it('reads run time, run delay and timeslices from schedstat', () => {
    expect(parseTaskSchedstat(fixture('vm-2cpu/task-schedstat.txt'))).toEqual({ runNs: 168933118, runDelayNs: 327480016, timeslices: 44 });
    expect(parseTaskSchedstat('')).toBeNull();
  });

  it('reads the name and context switches from status', () => {
    const s = parseTaskStatus(fixture('vm-2cpu/task-status.txt'))!;
    expect(s.name).toMatch(/^stress-ng/);
    expect(s.voluntaryCtxtSwitches + s.nonvoluntaryCtxtSwitches).toBeGreaterThan(0);
  });

  it('keeps spaces inside a thread name', () => {
    expect(parseTaskStatus('Name:\tweb worker 3\nvoluntary_ctxt_switches:\t4\nnonvoluntary_ctxt_switches:\t9\n')).toEqual({
      name: 'web worker 3',
      voluntaryCtxtSwitches: 4,
      nonvoluntaryCtxtSwitches: 9,
    });
  });
});

describe('parseCpuList', () => {
  it('reads ranges and singles', () => {
    expect(parseCpuList('0-3,8-11\n')).toEqual([0, 1, 2, 3, 8, 9, 10, 11]);
    expect(parseCpuList('5')).toEqual([5]);
    expect(parseCpuList('\n')).toEqual([]);
    expect(parseCpuList(fixture('vm-2cpu/irq36-smp_affinity_list.txt'))).toEqual([0, 1]);
  });
  it('refuses what is not a list', () => {
    expect(parseCpuList('3-1')).toBeNull();
    expect(parseCpuList('ff')).toBeNull();
  });
  it('formats back', () => {
    expect(formatCpuList([0, 1, 2, 3, 8, 10, 11])).toBe('0-3,8,10-11');
  });
});

describe('metricSegment', () => {
  it.each([
    ['virtio1-req.0', 'virtio1-req.0'],
    ['ACPI:Ged', 'ACPI_Ged'],
    ['PCIe PME, pciehp', 'PCIe_PME_pciehp'],
    ['ahci[0000:00:17.0]', 'ahci_0000_00_17.0'],
    ['mlx5_comp0@pci:0000:3b:00.0', 'mlx5_comp0_pci_0000_3b_00.0'],
    ['vfio-msix[0](0000:af:00.0)', 'vfio-msix_0_0000_af_00.0'],
    ['', 'unnamed'],
  ])('%s -> %s', (name, segment) => {
    expect(metricSegment(name)).toBe(segment);
  });
});
