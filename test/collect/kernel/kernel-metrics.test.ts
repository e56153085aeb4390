import { describe, expect, it } from 'vitest';
import type { MapEntryValue, Snapshot } from '../../../src/collect/ebpf/output.js';
import { dropReasonsFromFormat, majorFaultsFromMemoryStat } from '../../../src/collect/kernel/kernel-facts.js';
import { blockOp, kernelMetrics, type KernelContext } from '../../../src/collect/kernel/metrics.js';
import { buildKernelProgram } from '../../../src/collect/kernel/program.js';
import { bucketKeyOf } from '../../../src/metrics/histogram.js';

const none = { net: false, block: false, faults: false, runqueue: false, smpCalls: false };
const snap = (maps: Record<string, Record<string, MapEntryValue>>): Snapshot => new Map(Object.entries(maps).map(([k, v]) => [k, new Map(Object.entries(v))]));
const ctx = (o: Partial<KernelContext>): KernelContext => ({ parts: none, dropReasons: {}, blockDevices: {}, majorFaults: null, ...o });
const value = (points: Array<{ name: string; value: number }>, name: string) => points.find((p) => p.name === name)?.value;

describe('kernel collector program', () => {
  it('attaches only the probes of the parts switched on', () => {
    const text = buildKernelProgram({ parts: { ...none, faults: true }, cgroupIds: [42n], markerPid: 7 });
    expect([text.includes('page_fault_user'), text.includes('kfree_skb'), text.includes('$cg == 42')]).toEqual([true, false, true]);
  });

  it('clears every printed map at a marker so each cut holds one repetition', () => {
    const text = buildKernelProgram({ parts: { ...none, block: true }, cgroupIds: [], markerPid: 7 });
    expect(['@bl', '@bm', '@bb', '@bq'].every((m) => text.includes(`clear(${m});`))).toBe(true);
  });

  it('tags the workload own bios by device and sector where the submitter is current, and keeps the tags across cuts', () => {
    const text = buildKernelProgram({ parts: { ...none, block: true }, cgroupIds: [42n], markerPid: 7 });
    expect(text).toContain('tracepoint:block:block_bio_queue {\n  $cg = cgroup;\n  if (($cg == 42)) { @bo[args->dev, args->sector] = 1; }');
    const marker = text.slice(text.indexOf('task_rename'), text.indexOf('END'));
    expect([marker.includes('clear(@bo)'), marker.includes('clear(@ol)')]).toEqual([false, true]);
  });

  it('counts only the retransmits that went out where the tracepoint has err', () => {
    const withErr = buildKernelProgram({ parts: { ...none, net: true }, cgroupIds: [], markerPid: 7, retransmitErr: true });
    const without = buildKernelProgram({ parts: { ...none, net: true }, cgroupIds: [], markerPid: 7 });
    expect([withErr.includes('if (args->err == 0) { @nre = count(); }'), without.includes('args->err')]).toEqual([true, false]);
  });

  it('answers only its own marker prefix, not the main capture one', () => {
    expect(buildKernelProgram({ parts: { ...none, net: true }, cgroupIds: [], markerPid: 7 })).toContain('strncmp(args->newcomm, "kdk", 3)');
  });
});

describe('kernel collector metrics', () => {
  it('names skb drops by the reason the kernel format gives the number', () => {
    const points = kernelMetrics(snap({ '@nd': { '2': 5 } }), ctx({ parts: { ...none, net: true }, dropReasons: { 2: 'NOT_SPECIFIED' } }));
    expect(value(points, 'net.skb.drop.not_specified.count')).toBe(5);
  });

  it('names eBPF packet counts .packets, apart from the /proc device counters', () => {
    const points = kernelMetrics(snap({ '@nrx': { lo: 9 } }), ctx({ parts: { ...none, net: true } }));
    expect(value(points, 'net.dev.lo.rx.packets')).toBe(9);
  });

  it('subtracts the cgroup major faults from all faults for the minor count', () => {
    const points = kernelMetrics(snap({ '@fa': { '': 100 } }), ctx({ parts: { ...none, faults: true }, majorFaults: { n: 3, source: 'memory.stat' } }));
    expect([value(points, 'mem.faults.minor.count'), value(points, 'mem.faults.major.count')]).toEqual([97, 3]);
  });

  it('keeps machine-wide major faults out of the workload minor count', () => {
    const points = kernelMetrics(snap({ '@fa': { '': 100 } }), ctx({ parts: { ...none, faults: true }, majorFaults: { n: 30, source: 'vmstat' } }));
    expect(value(points, 'mem.faults.minor.count')).toBe(100);
  });

  it('turns block latency buckets into a count, percentiles and the device name', () => {
    const b = bucketKeyOf(100_000);
    const points = kernelMetrics(snap({ '@bl': { [`266338304,WS,${b}`]: 4 }, '@bm': { '266338304,WS': 101_000 }, '@bb': { '266338304,WS': 16384 }, '@bq': { '266338304': 2 } }), ctx({ parts: { ...none, block: true }, blockDevices: { 266338304: 'vda' } }));
    expect([value(points, 'block.vda.write.count'), value(points, 'block.vda.write.bytes'), value(points, 'block.queue_depth.max')]).toEqual([4, 16384, 2]);
    expect(Math.abs((value(points, 'block.vda.write.p50') ?? 0) - 100_000) / 100_000).toBeLessThan(0.125);
  });

  it('reads the preflush of a write as a write and a lone F as a flush', () => {
    expect([blockOp('FWS'), blockOp('F'), blockOp('R'), blockOp('DS')]).toEqual(['write', 'flush', 'read', 'discard']);
  });

  it('takes the median and the largest sampled run-queue length', () => {
    const points = kernelMetrics(snap({ '@rq': { '0,0': 2, '0,1': 5, '1,3': 1 } }), ctx({ parts: { ...none, runqueue: true } }));
    expect([value(points, 'sched.runqueue_length.p50'), value(points, 'sched.runqueue_length.max')]).toEqual([1, 3]);
  });

  it('gives each CPU its own run-queue median and maximum beside the machine', () => {
    const points = kernelMetrics(snap({ '@rq': { '0,0': 6, '0,1': 1, '1,2': 3, '1,4': 2 } }), ctx({ parts: { ...none, runqueue: true } }));
    const names = ['cpu0.p50', 'cpu0.max', 'cpu1.p50', 'cpu1.max'].map((n) => value(points, `sched.runqueue_length.${n}`));
    expect(names).toEqual([0, 1, 2, 4]);
  });

  it('reports the workload own block requests apart under block.own, and the machine total beside them', () => {
    const b = bucketKeyOf(50_000);
    const maps = { '@bl': { [`266338304,WS,${b}`]: 10 }, '@bm': { '266338304,WS': 60_000 }, '@bb': { '266338304,WS': 40960 }, '@ol': { [`266338304,WS,${b}`]: 7 }, '@om': { '266338304,WS': 55_000 }, '@ob': { '266338304,WS': 28672 } };
    const points = kernelMetrics(snap(maps), ctx({ parts: { ...none, block: true }, blockDevices: { 266338304: 'vda' } }));
    expect([value(points, 'block.vda.write.count'), value(points, 'block.own.vda.write.count'), value(points, 'block.own.vda.write.bytes'), value(points, 'block.own.vda.write.max')]).toEqual([10, 7, 28672, 55_000]);
  });

  it('names cross-CPU calls kernel.smp_call.count, outside the /proc irq.* names', () => {
    const points = kernelMetrics(snap({ '@sc': { '': 12 } }), ctx({ parts: { ...none, smpCalls: true } }));
    expect([value(points, 'kernel.smp_call.count'), points.some((p) => p.name.startsWith('irq.'))]).toEqual([12, false]);
  });

  it('keeps failed retransmits apart from the ones sent', () => {
    const points = kernelMetrics(snap({ '@nre': { '': 40 }, '@nrf': { '': 2 } }), ctx({ parts: { ...none, net: true } }));
    expect([value(points, 'net.tcp.retransmit.count'), value(points, 'net.tcp.retransmit_failed.count')]).toEqual([40, 2]);
  });
});

describe('kernel facts parsers', () => {
  it('reads drop reasons from the __print_symbolic list of a format file', () => {
    expect(dropReasonsFromFormat('print fmt: "reason: %s", __print_symbolic(REC->reason, { 2, "NOT_SPECIFIED" }, { 3, "NO_SOCKET" })')).toEqual({ 2: 'NOT_SPECIFIED', 3: 'NO_SOCKET' });
  });

  it('reads pgmajfault from memory.stat and none when the line is missing', () => {
    expect([majorFaultsFromMemoryStat('pgfault 10\npgmajfault 4\n'), majorFaultsFromMemoryStat('pgfault 10\n')]).toEqual([4, null]);
  });
});
