import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { buildProgram, HOT_SYSCALLS } from '../../../src/collect/ebpf/program.js';
import type { EbpfSpec } from '../../../src/scenario/types.js';

const ALL: EbpfSpec = { readyDelay: true, irq: true, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };
const base = { cgroupIds: [4242n, 4343n], markerPid: 777, arch: 'x86_64' };

function mapsUsedBy(probe: string): Set<string> {
  return new Set([...probe.matchAll(/@[a-z_0-9]+/g)].map((m) => m[0]));
}

function probeText(text: string, header: string): string {
  const start = text.indexOf(header);
  expect(start).toBeGreaterThanOrEqual(0);
  const next = text.indexOf('\n\n', start);
  return text.slice(start, next < 0 ? undefined : next);
}

describe('bpftrace program builder', () => {
  it('admits every repetition cgroup in one program', () => {
    const p = buildProgram({ ...base, spec: ALL });
    expect(p.text).toContain('$cg == 4242 || $cg == 4343');
    expect(p.text).toContain('tracepoint:task:task_rename /pid == 777 && strncmp(args->newcomm, "kdm", 3) == 0/');
    // a syscalls:* marker would put the ftrace syscall hook on every call of the machine
    expect(p.text).not.toContain('tracepoint:syscalls:');
  });

  it('times every call with one store on entry, a bucket count and a sum on exit, no delete', () => {
    const p = buildProgram({ ...base, spec: ALL });
    const exit = probeText(p.text, 'tracepoint:raw_syscalls:sys_exit');
    expect(exit).toContain('@sys[args->id, $b] = count()');
    expect(exit).not.toContain('sum(');
    expect(exit).not.toContain('stats(');
    expect(exit).not.toContain('delete');
    expect(p.countedSyscalls).toBeNull();
  });

  it('with sampling, times one call in N and counts every call in per-CPU array counters', () => {
    const spec: EbpfSpec = { ...ALL, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 8 } };
    const p = buildProgram({ ...base, spec });
    const enter = probeText(p.text, 'tracepoint:raw_syscalls:sys_enter');
    expect(enter).toContain('(rand & 7) == 0');
    expect(enter).toContain('@sn_110 = count()'); // getppid on x86_64
    expect(enter).toContain('@sn_other[$id] = count()');
    // the kernel refuses a program that uses more than 64 maps
    expect(mapsUsedBy(enter).size).toBeLessThanOrEqual(60);
    const exit = probeText(p.text, 'tracepoint:raw_syscalls:sys_exit');
    expect(exit).not.toContain('cgroup');
    expect(exit).toContain('delete(@ss[tid])');
    expect(p.countedSyscalls!.length).toBeLessThanOrEqual(HOT_SYSCALLS.length);
  });

  it('uses a modulo for a sample rate that is not a power of two', () => {
    const spec: EbpfSpec = { ...ALL, syscalls: { include: ['read'], exclude: [], excludeBlocking: false, sample: 10 } };
    const p = buildProgram({ ...base, spec });
    expect(p.text).toContain('(rand % 10) == 0');
    expect(p.countedSyscalls).toEqual([0]);
  });

  it('filters include and exclude lists by syscall number on entry and exit alike', () => {
    const spec: EbpfSpec = { ...ALL, syscalls: { include: ['read', 'write'], exclude: [], excludeBlocking: false, sample: 1 } };
    const p = buildProgram({ ...base, spec });
    for (const h of ['tracepoint:raw_syscalls:sys_enter', 'tracepoint:raw_syscalls:sys_exit']) {
      expect(probeText(p.text, h)).toContain('(args->id == 0 || args->id == 1)');
    }
    const ex = buildProgram({ ...base, spec: { ...ALL, syscalls: { include: [], exclude: ['futex'], excludeBlocking: false, sample: 1 } } });
    expect(ex.text).toContain('args->id != 202');
  });

  it('uses the aarch64 numbers on arm64', () => {
    const spec: EbpfSpec = { ...ALL, syscalls: { include: ['getppid'], exclude: [], excludeBlocking: false, sample: 1 } };
    expect(buildProgram({ ...base, arch: 'arm64', spec }).text).toContain('args->id == 173');
  });

  it('rejects an unknown syscall name as bad input', () => {
    const spec: EbpfSpec = { ...ALL, syscalls: { include: ['getpppid'], exclude: [], excludeBlocking: false, sample: 1 } };
    expect(() => buildProgram({ ...base, spec })).toThrow(InputError);
  });

  it('looks the wakee up by tid in sched_wakeup, whose cgroup is the waker one', () => {
    const p = buildProgram({ ...base, spec: ALL });
    const wakeup = probeText(p.text, 'tracepoint:sched:sched_wakeup {');
    expect(wakeup).not.toContain('cgroup');
    expect(wakeup).toContain('@rq[args->pid] == 1');
  });

  it('treats prev_state 0 and the preempted bit as runnable, and skips the idle task', () => {
    const p = buildProgram({ ...base, spec: ALL, preemptedStateBit: 0x400 });
    const sw = probeText(p.text, 'tracepoint:sched:sched_switch');
    expect(sw).toContain('$ps == 0 || ($ps & 1024) != 0');
    expect(sw).toContain('args->prev_pid != 0');
    expect(sw).toContain('args->next_pid != 0');
  });

  it('counts only handled hard IRQs and attributes to the workload by the interrupted task', () => {
    const p = buildProgram({ ...base, spec: ALL });
    const exit = probeText(p.text, 'tracepoint:irq:irq_handler_exit');
    expect(exit).toContain('args->ret != 0');
    expect(exit).toContain('@hiw[args->irq] = stats($d)');
  });

  it('prints only maps the program writes (bpftrace rejects an unknown map)', () => {
    const p = buildProgram({ ...base, spec: { readyDelay: false, irq: false, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } } });
    const mark = probeText(p.text, 'tracepoint:task:task_rename');
    expect(mark).toContain('print(@sys)');
    expect(mark).not.toContain('@rd');
    expect(mark).not.toContain('@hi');
  });
});

describe('bpftrace syscall exit clock', () => {
  for (const sample of [1, 8]) {
    it(`reads the clock before any map operation at sample ${sample}`, () => {
      const p = buildProgram({ ...base, spec: { ...ALL, syscalls: { include: [], exclude: [], excludeBlocking: false, sample } } });
      const exit = probeText(p.text, 'tracepoint:raw_syscalls:sys_exit {');
      const body = exit.split('\n').slice(1).map((l) => l.trim());
      expect(body[0]).toBe('$t = nsecs;');
      expect(exit.match(/nsecs/g)).toHaveLength(1);
    });
  }
});
