// The loader's side field (0 the repetition's workload, 1 the service) through the parser and
// into metric names: the service's rows become service.*, never the workload's, and back.
import { describe, expect, it } from 'vitest';
import { parseDump, parseLoaderLine } from '../../../src/collect/bpf/dump.js';
import { metricsFromDump } from '../../../src/collect/bpf/metrics.js';
import { syscallTableFor } from '../../../src/kernel/syscalls/table.js';
import type { EbpfSpec } from '../../../src/scenario/types.js';

const SPEC: EbpfSpec = { readyDelay: true, irq: false, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };
const ctx = (service: boolean) => ({ spec: SPEC, sample: 1, syscallTable: syscallTableFor('x86_64') ?? {}, irqNames: {}, cost: { syscall: 100, switch: 200 }, service });
const value = (ms: Array<{ name: string; value: number }>, name: string): number | undefined => ms.find((m) => m.name === name)?.value;

// read (0) on both sides, getcpu (309) on the service's only; one thread name on each side.
const DUMP = [
  '{"map":"sys","rows":[[0,10,10,1000,300,[40,10],0],[0,7,7,700,200,[40,7],1],[309,30,30,900,50,[30,30],1]]}',
  '{"map":"rd","rows":[["drv",5,5000,2000,[70,5],0],["srv",4,8000,3000,[75,4],1]],"lost":0}',
  '{"map":"run","side":0,"count":12,"total":120000}',
  '{"map":"run","side":1,"count":9,"total":90000}',
  '{"end":1}',
].join('\n');

describe('sides in the libbpf dump', () => {
  it('parses the side of syscall rows, ready-delay rows and run lines', () => {
    const d = parseDump(DUMP);
    expect(d.sys.map((r) => [r.id, r.side, r.count])).toEqual([
      [0, 0, 10],
      [0, 1, 7],
      [309, 1, 30],
    ]);
    expect(d.rd.map((r) => [r.comm, r.side])).toEqual([
      ['drv', 0],
      ['srv', 1],
    ]);
    expect(d.run).toEqual({ count: 12, total: 120000 });
    expect(d.serviceRun).toEqual({ count: 9, total: 90000 });
  });

  it('reads rows without a side (a loader before sides) as the workload\'s', () => {
    const d = parseDump('{"map":"sys","rows":[[0,3,3,30,10,[40,3]]]}\n{"map":"rd","rows":[["a",1,10,10,[20,1]]],"lost":0}\n{"map":"run","count":2,"total":20}');
    expect(d.sys[0]?.side).toBe(0);
    expect(d.rd[0]?.side).toBe(0);
    expect(d.run).toEqual({ count: 2, total: 20 });
    expect(d.serviceRun).toBeNull();
  });

  it('refuses a side it does not know', () => {
    expect(parseLoaderLine('{"map":"sys","rows":[[0,3,3,30,10,[40,3],2]]}')?.kind).toBe('unparsed');
    expect(parseLoaderLine('{"map":"run","side":3,"count":1,"total":1}')?.kind).toBe('unparsed');
  });

  it('names the service side service.* and keeps it out of the workload\'s metrics', () => {
    const m = metricsFromDump(parseDump(DUMP), ctx(true)).metrics;
    expect(value(m, 'syscall.read.count')).toBe(10);
    expect(value(m, 'syscall.getcpu.count')).toBeUndefined();
    expect(value(m, 'service.syscall.read.count')).toBe(7);
    expect(value(m, 'service.syscall.getcpu.count')).toBe(30);
    expect(value(m, 'service.syscall.getcpu.total')).toBe(900);
    expect(value(m, 'service.syscall.all.count')).toBe(37);
    expect(value(m, 'sched.ready_delay.total')).toBe(5000);
    expect(value(m, 'service.sched.ready_delay.total')).toBe(8000);
    expect(value(m, 'service.sched.ready_delay.count')).toBe(4);
    expect(value(m, 'service.sched.ready_delay.thread.srv.total')).toBe(8000);
    expect(value(m, 'sched.run.total')).toBe(120000);
    expect(value(m, 'service.sched.run.total')).toBe(90000);
    expect(value(m, 'service.sched.run.count')).toBe(9);
    // The capture's own cost is the workload's figure, not repeated for the service.
    expect(m.filter((p) => p.name.startsWith('service.capture'))).toEqual([]);
    expect(m.filter((p) => p.name.startsWith('service.')).every((p) => p.source === 'ebpf')).toBe(true);
  });

  it('has no service.* without a service, and the workload\'s figures leave out side 1 rows either way', () => {
    const m = metricsFromDump(parseDump(DUMP), ctx(false)).metrics;
    expect(m.filter((p) => p.name.startsWith('service.'))).toEqual([]);
    expect(value(m, 'syscall.read.count')).toBe(10);
  });
});
