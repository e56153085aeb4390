import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDump, parseLoaderLine } from '../../../src/collect/bpf/dump.js';
import { metricsFromDump } from '../../../src/collect/bpf/metrics.js';
import { syscallTableFor } from '../../../src/kernel/syscalls/table.js';
import type { EbpfSpec } from '../../../src/scenario/types.js';

const FIXTURE = readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'ebpf', 'libbpf-dump.jsonl'), 'utf8');
const lines = FIXTURE.trim().split('\n');
/** The second dump: the one around the workload. */
const second = lines.slice(lines.findIndex((l) => l.startsWith('{"end":0')) + 1).join('\n');

const SPEC: EbpfSpec = { readyDelay: true, irq: true, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };
const ctx = (sample = 1) => ({ spec: SPEC, sample, syscallTable: syscallTableFor('x86_64') ?? {}, irqNames: { 42: 'virtio0-input.0' }, cost: { syscall: 120, switch: 300 } });
const value = (ms: Array<{ name: string; value: number }>, name: string): number | undefined => ms.find((m) => m.name === name)?.value;

describe('kdelta-bpf output parser', () => {
  it('reads the ready line with its attach type and timings', () => {
    const p = parseLoaderLine(lines[0]!);
    expect(p?.kind).toBe('ready');
    if (p?.kind === 'ready') {
      expect(p.ready.attach).toBe('tp_btf');
      expect(p.ready.ncpu).toBe(2);
      expect(p.ready.attachNs).toBeGreaterThan(0);
    }
  });

  it('reads the 1000 getppid calls of the recorded dump, all timed', () => {
    const d = parseDump(second);
    const getppid = d.sys.find((r) => r.id === 110)!;
    expect(getppid.count).toBe(1000);
    expect(getppid.timed).toBe(1000);
    expect([...getppid.buckets.values()].reduce((s, n) => s + n, 0)).toBe(1000);
  });

  it('reads one ready-delay row per thread name with about one episode per wake-up', () => {
    const d = parseDump(second);
    expect(d.rd.find((r) => r.comm === 'ping0')?.count).toBeGreaterThanOrEqual(300);
    expect(d.rd.find((r) => r.comm === 'pong0')?.count).toBeGreaterThanOrEqual(300);
  });

  it('marks a line with a malformed row as unparsed instead of dropping part of it', () => {
    expect(parseLoaderLine('{"map":"sys","rows":[[1,2,3]]}')?.kind).toBe('unparsed');
    expect(parseLoaderLine('{"map":"rd","rows":[["x",1,2,3,[1]]],"lost":0}')?.kind).toBe('unparsed');
    expect(parseLoaderLine('not json')?.kind).toBe('unparsed');
  });

  it('keeps a thread name holding quotes and commas whole', () => {
    const d = parseDump('{"map":"rd","rows":[["a,\\"b\\" 1",2,300,200,[60,2]]],"lost":0}');
    expect(d.rd[0]?.comm).toBe('a,"b" 1');
  });
});

describe('metrics from a libbpf dump', () => {
  it('gives the exact total and the exact max of getppid, and its calibrated cost beside it', () => {
    const { metrics } = metricsFromDump(parseDump(second), ctx());
    const row = parseDump(second).sys.find((r) => r.id === 110)!;
    expect(value(metrics, 'syscall.getppid.count')).toBe(1000);
    expect(value(metrics, 'syscall.getppid.total')).toBe(row.sum);
    expect(value(metrics, 'syscall.getppid.max')).toBe(row.max);
    expect(value(metrics, 'capture.cost.syscall')).toBe(120);
    expect(value(metrics, 'capture.cost.switch')).toBe(300);
  });

  it('reports a counted but never timed syscall as not timed, without a zero total', () => {
    const d = parseDump('{"map":"sys","rows":[[231,1,0,0,0,[]],[110,80,10,1000,200,[50,10]]]}');
    const { metrics, notes } = metricsFromDump(d, ctx(8));
    expect(value(metrics, 'syscall.exit_group.count')).toBe(1);
    expect(value(metrics, 'syscall.exit_group.total')).toBeUndefined();
    expect(notes.join(' ')).toMatch(/not timed.*exit_group/);
    // 10 timed calls summing to 1000 ns stand for all 80.
    expect(value(metrics, 'syscall.getppid.total')).toBe(8000);
    expect(value(metrics, 'syscall.all.total')).toBe(8000);
    expect(value(metrics, 'syscall.all.count')).toBe(81);
  });

  it('lists timed calls that went untimed as a loss, summed over the dumps, without a doubt on the counts', () => {
    const d = parseDump('{"map":"sys","rows":[[110,80,10,1000,200,[50,10]]],"lost":2}\n{"map":"sys","rows":[],"lost":1}');
    expect(d.sysLost).toBe(3);
    const { metrics, lost } = metricsFromDump(d, ctx(8));
    expect(lost).toEqual(['syscall latency: 3 timed calls went untimed (a context switch the capture did not see, or task storage busy)']);
    expect(value(metrics, 'syscall.getppid.count')).toBe(80);
    expect(metricsFromDump(parseDump('{"map":"sys","rows":[],"lost":0}'), ctx(8)).lost).toEqual([]);
  });

  it('folds thread names into groups and keeps the exact largest delay', () => {
    const { metrics } = metricsFromDump(parseDump(second), ctx());
    const rows = parseDump(second).rd;
    expect(value(metrics, 'sched.ready_delay.max')).toBe(Math.max(...rows.map((r) => r.max)));
    expect(value(metrics, 'sched.ready_delay.total')).toBe(rows.reduce((s, r) => s + r.total, 0));
    expect(value(metrics, 'sched.ready_delay.thread.ping*.total')).toBe(rows.find((r) => r.comm === 'ping0')!.total);
  });

  it('names eBPF interrupt counts apart from the /proc .count metrics', () => {
    const { metrics } = metricsFromDump(parseDump(second), ctx());
    expect(value(metrics, 'softirq.timer.runs')).toBeGreaterThan(0);
    expect(metrics.some((m) => m.name.endsWith('.count') && (m.name.startsWith('softirq.') || m.name.startsWith('irq.')))).toBe(false);
  });

  it('reports a full ready-delay map as lost data', () => {
    const { lost } = metricsFromDump(parseDump('{"map":"rd","rows":[],"lost":7}'), ctx());
    expect(lost).toEqual(['ready-delay map full: 7 episodes dropped']);
  });
});
