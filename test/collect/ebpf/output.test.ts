import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldThreadName, metricsFromSnapshots, nearlyFullMaps } from '../../../src/collect/ebpf/metrics.js';
import { jsonNumber, parseBpftraceLine, parseBpftraceStderr, SnapshotReader, splitMapKey } from '../../../src/collect/ebpf/output.js';
import { buildProgram } from '../../../src/collect/ebpf/program.js';
import { preemptedBitFromFormat } from '../../../src/collect/ebpf/session.js';
import { SYSCALLS_X86_64 } from '../../../src/kernel/syscalls/x86_64.js';
import { histogramCount } from '../../../src/metrics/histogram.js';
import type { EbpfSpec } from '../../../src/scenario/types.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'ebpf');
const fixture = (name: string): string => readFileSync(join(FIX, name), 'utf8');

function read(name: string): SnapshotReader {
  const r = new SnapshotReader();
  for (const line of fixture(name).split('\n')) r.feed(line);
  return r;
}

const spec = (sample: number): EbpfSpec => ({ readyDelay: true, irq: true, syscalls: { include: [], exclude: [], excludeBlocking: true, sample } });
const ctx = (sample: number) => ({
  program: buildProgram({ spec: spec(sample), cgroupIds: [1n], markerPid: 1, arch: 'x86_64' }),
  spec: spec(sample),
  syscallTable: SYSCALLS_X86_64,
  irqNames: { 29: 'virtio0-input.0', 30: 'nvme0q1' },
});
const value = (ms: Array<{ name: string; value: number }>, name: string): number | undefined => ms.find((m) => m.name === name)?.value;

describe('bpftrace JSON lines', () => {
  it('parses the v0.17 and v0.24 attached_probes shapes', () => {
    expect(parseBpftraceLine('{"type": "attached_probes", "data": {"probes": 11}}')).toEqual({ kind: 'attached', probes: 11 });
    expect(parseBpftraceLine('{"type": "attached_probes", "count": 11, "data": {"probes": 11}}')).toEqual({ kind: 'attached', probes: 11 });
  });

  it('parses both lost_events shapes', () => {
    expect(parseBpftraceLine('{"type": "lost_events", "data": {"events": 3}}')).toEqual({ kind: 'lost', events: 3 });
    expect(parseBpftraceLine('{"type": "lost_events", "count": 12, "data": {"events": 12}}')).toEqual({ kind: 'lost', events: 12 });
  });

  it('reads integers printed as strings (v0.24+, beyond 2^53)', () => {
    expect(jsonNumber('9007199254740993')).toBe(Number('9007199254740993'));
    expect(jsonNumber(12)).toBe(12);
    expect(jsonNumber('abc')).toBeNull();
  });

  it('parses key-less count maps, keyed stats and hist', () => {
    const scalar = parseBpftraceLine('{"type": "map", "data": {"@sn_110": 1000}}');
    expect(scalar).toMatchObject({ kind: 'map', name: '@sn_110' });
    expect(scalar?.kind === 'map' && scalar.entries.get('')).toBe(1000);
    const stats = parseBpftraceLine('{"type": "stats", "data": {"@rd": {"ping,0,80": {"count": 2, "average": 5, "total": 10}}}}');
    expect(stats?.kind === 'map' && stats.entries.get('ping,0,80')).toEqual({ count: 2, total: 10 });
    const hist = parseBpftraceLine('{"type": "hist", "data": {"@h": [{"min": 64, "max": 127, "count": 1}]}}');
    expect(hist?.kind === 'map' && hist.entries.get('')).toEqual([{ min: 64, max: 127, count: 1 }]);
  });

  it('splits tuple keys whose first part (a thread name) holds commas', () => {
    expect(splitMapKey('ping,0,80', 2)).toEqual(['ping,0', '80']);
    expect(splitMapKey('110,75', 2)).toEqual(['110', '75']);
  });

  it('keeps both helper_error shapes, and flags lines that are not JSON', () => {
    expect(parseBpftraceLine('{"type": "helper_error", "helper": "map_update_elem", "retcode": -7, "line": 2, "col": 65}')).toEqual({ kind: 'helper-error', helper: 'map_update_elem', retcode: -7, where: '2:65' });
    expect(parseBpftraceLine('{"type": "helper_error", "msg": "Argument list too long", "helper": "map_update_elem", "retcode": -7, "filename": "stdin", "line": 30, "col": 7}')).toMatchObject({ retcode: -7, where: 'stdin:30:7' });
    expect(parseBpftraceLine('Lost 3 events')).toEqual({ kind: 'unparsed', line: 'Lost 3 events' });
    expect(parseBpftraceLine('')).toBeNull();
  });
});

describe('bpftrace stderr', () => {
  it('does not count RLIMIT_MEMLOCK as a failure', () => {
    const r = parseBpftraceStderr(fixture('v0.17-full.stderr.txt'));
    expect(r.errors).toEqual([]);
    expect(r.benign).toHaveLength(1);
  });

  it('keeps errors and warnings with their source excerpt', () => {
    const text = [
      'ERROR: Unknown error -1: couldn\'t set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem',
      'stdin:2:72-79: ERROR: Undefined map: @s',
      'tracepoint:raw_syscalls:sys_exit { $s = @s[tid]; }',
      '                                       ~~~~~~~',
      'WARNING: could not attach probe tracepoint:irq:irq_handler_entry, skipping.',
    ].join('\n');
    const r = parseBpftraceStderr(text);
    expect(r.errors).toEqual(['stdin:2:72-79: Undefined map: @s | tracepoint:raw_syscalls:sys_exit { $s = @s[tid]; }']);
    expect(r.warnings).toEqual(['could not attach probe tracepoint:irq:irq_handler_entry, skipping.']);
  });
});

describe('metrics from recorded snapshots', () => {
  it('v0.17 full capture: 1000 getppid calls of syscall-loop between the markers', () => {
    const r = read('v0.17-full.jsonl');
    expect(r.attachedProbes).toBe(11);
    const { metrics, notes } = metricsFromSnapshots(r.snapshots.get(0)!, r.snapshots.get(1)!, ctx(1));
    expect(value(metrics, 'syscall.getppid.count')).toBe(1000);
    const p50 = metrics.find((m) => m.name === 'syscall.getppid.p50')!;
    expect(histogramCount(p50.histogram!)).toBe(1000);
    expect(value(metrics, 'syscall.getppid.p99')!).toBeGreaterThanOrEqual(p50.value);
    expect(value(metrics, 'syscall.getppid.max')!).toBeGreaterThanOrEqual(value(metrics, 'syscall.getppid.p99')!);
    // 300 round trips of pipe-pingpong: each wakes the other side twice
    expect(value(metrics, 'sched.ready_delay.count')!).toBeGreaterThanOrEqual(600);
    expect(value(metrics, 'sched.ready_delay.thread.ping*.total')).toBeGreaterThan(0);
    expect(value(metrics, 'softirq.rcu.runs') ?? value(metrics, 'softirq.timer.runs')).toBeGreaterThan(0);
    expect(notes.join(' ')).toMatch(/blocking/);
    // syscall.all excludes the blocking calls (read on a pipe is not in the list; futex/poll would be)
    expect(value(metrics, 'syscall.all.count')!).toBeGreaterThanOrEqual(1000);
  });

  it('v0.17 sampled capture: counts stay exact, totals are scaled', () => {
    const r = read('v0.17-sampled.jsonl');
    const { metrics, notes } = metricsFromSnapshots(r.snapshots.get(0)!, r.snapshots.get(1)!, ctx(8));
    expect(value(metrics, 'syscall.getppid.count')).toBe(1000);
    const sampled = histogramCount(metrics.find((m) => m.name === 'syscall.getppid.p50')!.histogram!);
    expect(sampled).toBeGreaterThan(60);
    expect(sampled).toBeLessThan(200);
    expect(notes.join(' ')).toMatch(/one call in 8/);
  });

  it('v0.24 output: string integers, new lost_events and helper_error, empty maps left out', () => {
    const r = read('v0.24-full.jsonl');
    expect(r.attachedProbes).toBe(11);
    expect(r.lostEvents).toBe(12);
    expect([...r.helperErrors.keys()]).toEqual(['map_update_elem -7 at stdin:30:7']);
    const { metrics } = metricsFromSnapshots(r.snapshots.get(0)!, r.snapshots.get(1)!, ctx(1));
    expect(value(metrics, 'syscall.getppid.count')).toBe(1000);
    expect(value(metrics, 'irq.hard.virtio0-input.0.handled')).toBe(3);
    expect(value(metrics, 'irq.hard.virtio0-input.0.time')).toBe(Number('9007199254740993') - 1000);
    expect(value(metrics, 'irq.hard.nvme0q1.time_in_workload')).toBe(2000);
  });

  it('reports keyed maps close to their size limit', () => {
    const snap = new Map([['@sys', new Map(Array.from({ length: 95 }, (_, i) => [`1,${i}`, { count: 1, total: 1 }] as const))]]);
    expect(nearlyFullMaps(snap, 100)).toEqual(['@sys holds 95 of 100 keys']);
    expect(nearlyFullMaps(snap, 1000)).toEqual([]);
  });
});

describe('helpers', () => {
  it('folds digits in thread names', () => {
    expect(foldThreadName('worker12')).toBe('worker*');
    expect(foldThreadName('revalidator55')).toBe('revalidator*');
    expect(foldThreadName('kworker/0:1H')).toBe('kworker/*:*H');
  });

  it('reads TASK_REPORT_MAX from the sched_switch format of this 6.18 kernel', () => {
    expect(preemptedBitFromFormat(fixture('sched_switch.format.6.18'))).toBe(0x100);
    expect(preemptedBitFromFormat('no print fmt')).toBeNull();
  });
});
