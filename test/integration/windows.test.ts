import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RepetitionCapture } from '../../src/collect/types.js';
import { GROUPS, libbpfGroupsSetup, type GroupsRun } from './groups-support.js';
import { parseProbe } from '../../src/scenario/probes.js';
import type { EbpfSpec, WindowProbe, WindowSpec } from '../../src/scenario/types.js';

/**
 * Trigger windows in the real capture, against kdelta-groups: thread beta0 opens WINDOWS windows
 * between the USDT probes kdelta:window_start and kdelta:window_end, each WINDOW_MS long, makes
 * 10 getsid calls at the start of each (its only syscalls inside a window; no other thread has
 * windows), and prints what it measured itself.
 */
const WINDOWS = 12;
const WINDOW_MS = 5;

const groups = libbpfGroupsSetup('windows');

function probe(text: string): WindowProbe {
  const p = parseProbe(text);
  if (!p.ok) throw new Error(p.error);
  return p.probe;
}

const USDT: WindowSpec = { start: probe(`usdt:${GROUPS}:kdelta:window_start`), stop: probe(`usdt:${GROUPS}:kdelta:window_end`), minNs: 0, per: 'thread' };
const SPEC: EbpfSpec = { readyDelay: true, irq: true, threads: true, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };

const captureGroups = (window: WindowSpec, argv: string[]): Promise<GroupsRun> => groups.capture({ ...SPEC, window }, argv);

const value = (c: RepetitionCapture, name: string): number => {
  const m = c.metrics.find((p) => p.name === name);
  if (!m) throw new Error(`${name} missing; have ${c.metrics.map((p) => p.name).join(', ')}`);
  return m.value;
};
const has = (c: RepetitionCapture, name: string): boolean => c.metrics.some((p) => p.name === name && p.value > 0);

const nearestRank = (values: number[], q: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

describe('trigger windows on USDT probes, per thread', () => {
  let run: { capture: RepetitionCapture; own: Map<string, number> };
  beforeAll(async () => {
    run = await captureGroups(USDT, ['20000', '50', String(WINDOWS), String(WINDOW_MS)]);
  }, 60_000);

  it('counts every window, and each length within 5% of what the program measured', () => {
    expect(run.capture.lost).toEqual([]);
    expect(value(run.capture, 'window.count')).toBe(WINDOWS);
    const own = Array.from({ length: WINDOWS }, (_, k) => run.own.get(`beta.window_ns.${k}`)!);
    const total = own.reduce((a, b) => a + b, 0);
    const close = (name: string, truth: number): void => {
      const ratio = value(run.capture, name) / truth;
      expect(Math.abs(ratio - 1), `${name}: kdelta / own = ${ratio.toFixed(4)}`).toBeLessThan(0.05);
    };
    close('window.duration.total', total);
    close('window.duration.max', Math.max(...own));
    close('window.duration.p50', nearestRank(own, 0.5));
    close('window.duration.p99', nearestRank(own, 0.99));
  });

  it('counts only the syscalls made inside windows: the getsid calls, exactly', () => {
    expect(value(run.capture, 'syscall.getsid.count')).toBe(run.own.get('beta.window_calls'));
    expect(value(run.capture, 'syscall.all.count')).toBe(run.own.get('beta.window_calls'));
    // alpha's 40000 getppid and beta's geteuid calls are all outside windows.
    expect(has(run.capture, 'syscall.getppid.count')).toBe(false);
    expect(has(run.capture, 'syscall.geteuid.count')).toBe(false);
    expect(value(run.capture, 'thread.beta*.syscall.getsid.count')).toBe(run.own.get('beta.window_calls'));
  });

  it('counts run time only inside windows: beta0, at most the windows long', () => {
    const run_ = value(run.capture, 'thread.beta*.run.total');
    expect(run_).toBeGreaterThan(0);
    expect(run_).toBeLessThanOrEqual(value(run.capture, 'window.duration.total'));
    expect(value(run.capture, 'sched.run.total')).toBe(run_);
    expect(run.capture.metrics.some((m) => m.name.startsWith('thread.alpha*.'))).toBe(false);
  });
});

describe('trigger windows, other probes and options', () => {
  it('leaves windows shorter than min out of window.*', async () => {
    const r = await captureGroups({ ...USDT, minNs: 10_000_000_000 }, ['1000', '10', '4', '2']);
    expect(value(r.capture, 'window.count')).toBe(0);
    expect(value(r.capture, 'window.duration.total')).toBe(0);
    expect(r.capture.notes.join('\n')).toContain('4 window(s) shorter than 10000 ms left out');
  }, 60_000);

  const FN = { start: probe(`uprobe:${GROUPS}:kdelta_slow_call`), stop: probe(`uretprobe:${GROUPS}:kdelta_slow_call`) };

  it('opens a window at a uprobe and closes it at the uretprobe of the same function', async () => {
    const r = await captureGroups({ ...USDT, ...FN }, ['1000', '10', '2', '1']);
    expect(value(r.capture, 'window.count')).toBe(1);
    // The function is one 5 ms nanosleep, its only syscall. The stop's return probe comes back
    // through the uretprobe syscall on this kernel: kdelta's own call, left out and said so.
    expect(value(r.capture, 'syscall.nanosleep.count')).toBe(1);
    expect(r.capture.metrics.filter((m) => m.name.includes('uretprobe'))).toEqual([]);
    expect(value(r.capture, 'syscall.all.count')).toBe(1);
    expect(value(r.capture, 'thread.beta*.syscall.all.count')).toBe(1);
    expect(r.capture.notes.join('\n')).toContain('syscall uretprobe left out');
    expect(value(r.capture, 'window.duration.max')).toBeGreaterThanOrEqual(5_000_000);
  }, 60_000);

  it('counts the uretprobe syscall when the scenario includes it by name', async () => {
    const syscalls = { include: ['nanosleep', 'uretprobe'], exclude: [], excludeBlocking: false, sample: 1 };
    const r = await groups.capture({ ...SPEC, syscalls, window: { ...USDT, ...FN } }, ['1000', '10', '2', '1']);
    expect(value(r.capture, 'window.count')).toBe(1);
    expect(value(r.capture, 'syscall.nanosleep.count')).toBe(1);
    // Kernels with the syscall (x86_64 from 6.11; this VM runs 6.18) return through it once.
    const trampoline = existsSync('/sys/kernel/tracing/events/syscalls/sys_enter_uretprobe') ? 1 : 0;
    expect(r.capture.metrics.find((m) => m.name === 'syscall.uretprobe.count')?.value ?? 0).toBe(trampoline);
    expect(value(r.capture, 'syscall.all.count')).toBe(1 + trampoline);
    expect(r.capture.notes.join('\n')).not.toContain('syscall uretprobe left out');
  }, 60_000);

  it('opens and closes windows at tracepoints: one per getsid call', async () => {
    const tp = { start: probe('tracepoint:syscalls:sys_enter_getsid'), stop: probe('tracepoint:syscalls:sys_exit_getsid') };
    const r = await captureGroups({ ...USDT, ...tp }, ['1000', '10', '3', '1']);
    expect(value(r.capture, 'window.count')).toBe(r.own.get('beta.window_calls'));
  }, 60_000);

  it('per process: a window of beta0 covers the whole process', async () => {
    const r = await captureGroups({ ...USDT, per: 'process' }, ['20000', '50', String(WINDOWS), String(WINDOW_MS)]);
    expect(value(r.capture, 'window.count')).toBe(WINDOWS);
    expect(value(r.capture, 'syscall.getsid.count')).toBe(r.own.get('beta.window_calls'));
    // beta0's geteuid calls come before and after its windows, and only it opens windows.
    expect(has(r.capture, 'syscall.geteuid.count')).toBe(false);
  }, 60_000);
});

// The calibration's processes open a window for themselves, so capture.cost.* is measured inside
// windows, as every counted event is: the loader reports how many of its getppid calls it counted.
describe('calibration under trigger windows', () => {
  it.each([['thread', []], ['process', ['--win-process']]])('counts every calibration call inside a window, per %s', async (_per, extra) => {
    const { execa } = await import('execa');
    const { probeMachine } = await import('../../src/environment/probe.js');
    const { BPF_LOADER } = await import('../../src/collect/bpf/session.js');
    const facts = await probeMachine();
    const calib = `${facts.cgroup2!}/kdelta-calib-test-${process.pid}-${String(extra.length)}`;
    const args = ['--syscalls', '--ready', ...extra, '--win-start', `usdt:${GROUPS}:kdelta:window_start`, '--win-stop', `usdt:${GROUPS}:kdelta:window_end`, '--calib-cgroup', calib];
    const r = await execa(BPF_LOADER, args, { input: '', reject: false });
    const ready = JSON.parse(r.stdout.split('\n')[0]!) as { windows?: boolean; calib_counted?: number; cost_syscall_ns?: number };
    expect(ready.windows).toBe(true);
    // 10 rounds of 1,500 getppid calls, each counted only if the window was open.
    expect(ready.calib_counted).toBe(15_000);
    expect(ready.cost_syscall_ns).toBeGreaterThanOrEqual(0);
    expect(existsSync(calib)).toBe(false);
  });
});
