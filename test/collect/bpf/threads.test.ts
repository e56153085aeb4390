import { describe, expect, it } from 'vitest';
import { parseDump } from '../../../src/collect/bpf/dump.js';
import { groupNamer } from '../../../src/collect/bpf/groups.js';
import { metricsFromDump } from '../../../src/collect/bpf/metrics.js';
import { syscallTableFor } from '../../../src/kernel/syscalls/table.js';
import type { EbpfSpec } from '../../../src/scenario/types.js';

const SPEC: EbpfSpec = { readyDelay: true, irq: true, threads: true, syscalls: { include: [], exclude: [], excludeBlocking: true, sample: 1 } };
const ctx = (spec: EbpfSpec = SPEC) => ({ spec, sample: 1, syscallTable: syscallTableFor('x86_64') ?? {}, irqNames: { 42: 'virtio0-input.0' }, cost: { syscall: null, switch: null } });

// getppid is 110, nanosleep 35 on x86_64; kind 0 syscall, 1 hard IRQ, 2 softirq, 3 run.
const DUMP = [
  '{"map":"rd","rows":[["worker1",3,3000,2000,[]],["worker2",1,500,500,[]]],"lost":0}',
  '{"map":"run","count":9,"total":90000}',
  '{"map":"grp","rows":[["worker1",0,110,10,1000,300,50],["worker2",0,110,5,700,400,60],["worker1",0,35,1,5000000,5000000,5000000],["worker1",3,0,4,40000,20000,1000],["worker2",3,0,2,30000,25000,5000],["worker1",1,42,2,800,500,300],["worker2",2,1,1,900,900,900]],"lost":3}',
  '{"end":1}',
].join('\n');

const byName = (ms: Array<{ name: string; value: number }>) => new Map(ms.map((m) => [m.name, m.value]));

describe('thread group metrics of the libbpf capture', () => {
  it('folds digits so worker1 and worker2 add up into worker*', () => {
    const m = byName(metricsFromDump(parseDump(DUMP), ctx()).metrics);
    expect(m.get('thread.worker*.syscall.getppid.count')).toBe(15);
    expect(m.get('thread.worker*.syscall.getppid.total')).toBe(1700);
    expect(m.get('thread.worker*.syscall.getppid.max')).toBe(400);
  });

  it('takes run count and total as sums, min as the least and max as the largest period', () => {
    const m = byName(metricsFromDump(parseDump(DUMP), ctx()).metrics);
    expect([m.get('thread.worker*.run.count'), m.get('thread.worker*.run.total'), m.get('thread.worker*.run.min'), m.get('thread.worker*.run.max')]).toEqual([6, 70000, 1000, 25000]);
  });

  it('leaves blocking calls out of syscall.all when exclude_blocking is on', () => {
    const m = byName(metricsFromDump(parseDump(DUMP), ctx()).metrics);
    expect(m.get('thread.worker*.syscall.all.count')).toBe(15);
    expect(m.get('thread.worker*.syscall.all.total')).toBe(1700);
    expect(m.get('thread.worker*.syscall.nanosleep.total')).toBe(5000000);
  });

  it('names interrupts that landed on the group by handler and vector', () => {
    const m = byName(metricsFromDump(parseDump(DUMP), ctx()).metrics);
    expect(m.get('thread.worker*.hardirq.virtio0-input.0.time')).toBe(800);
    expect(m.get('thread.worker*.softirq.timer.count')).toBe(1);
  });

  it('gives ready delay per group and sched.run for the workload', () => {
    const m = byName(metricsFromDump(parseDump(DUMP), ctx()).metrics);
    expect([m.get('thread.worker*.ready.count'), m.get('thread.worker*.ready.total'), m.get('thread.worker*.ready.max')]).toEqual([4, 3500, 2000]);
    expect([m.get('sched.run.count'), m.get('sched.run.total')]).toEqual([9, 90000]);
  });

  it('reports a full thread-group map as lost', () => {
    expect(metricsFromDump(parseDump(DUMP), ctx()).lost).toEqual(['thread-group map full: 3 updates dropped']);
  });

  it('makes no thread.* metric when threads is off', () => {
    const { threads: _off, ...spec } = SPEC;
    expect(metricsFromDump(parseDump(DUMP), ctx(spec)).metrics.some((m) => m.name.startsWith('thread.'))).toBe(false);
  });
});

describe('groupNamer', () => {
  it('names a thread by the first matching role, glob or regex, else folds its digits', () => {
    const name = groupNamer([
      { pattern: 'handler*', role: 'handler' },
      { pattern: '/^rev/', role: 'revalidator' },
    ]);
    expect([name('handler12'), name('revalidator3'), name('worker12'), name('kworker/0:1H')]).toEqual(['handler', 'revalidator', 'worker*', 'kworker/*:*H']);
  });

  it('takes a glob as the whole name, with its dots literal', () => {
    const name = groupNamer([{ pattern: 'a.b?', role: 'x' }]);
    expect([name('a.b1'), name('axb1'), name('a.b12')]).toEqual(['x', 'axb*', 'a.b*']);
  });

  it('rejects a regex that is not RE2 with an input error', () => {
    expect(() => groupNamer([{ pattern: '/(?=a)/', role: 'x' }])).toThrow(/collect\.roles.*RE2/);
  });
});
