import { describe, expect, it } from 'vitest';
import { captureBackend, createEbpfCapture, withoutObserverSyscalls } from '../../../src/collect/bpf/choose.js';
import { EnvironmentError } from '../../../src/errors.js';
import { bpfAvailability } from '../../../src/collect/bpf/session.js';
import { machineFacts } from '../../fixtures/machine-facts.js';

describe('choosing the eBPF capture', () => {
  it('reads KDELTA_EBPF as the backend and anything else as auto', () => {
    expect(captureBackend({ KDELTA_EBPF: 'bpftrace' })).toBe('bpftrace');
    expect(captureBackend({ KDELTA_EBPF: 'libbpf' })).toBe('libbpf');
    expect(captureBackend({ KDELTA_EBPF: 'perf' })).toBe('auto');
    expect(captureBackend({})).toBe('auto');
  });

  it('says the libbpf capture cannot run without kernel BTF, and why', () => {
    const a = bpfAvailability(machineFacts({ btf: false }), '/bin/true');
    expect(a.state).toBe('unavailable');
    if (a.state === 'unavailable') expect(a.reason).toMatch(/BTF/);
  });

  it('says how to build the loader when it is missing', () => {
    const a = bpfAvailability(machineFacts({ btf: true }), '/nonexistent/kdelta-bpf');
    expect(a.state).toBe('unavailable');
    if (a.state === 'unavailable') expect(a.fix).toMatch(/libbpf-dev/);
  });

  it('is ready with BTF, cgroup v2 and a built loader', () => {
    expect(bpfAvailability(machineFacts({ btf: true }), '/bin/true').state).toBe('ready');
  });

  it('refuses trigger windows on the bpftrace capture instead of measuring outside them', async () => {
    const usdt = (name: string) => ({ kind: 'usdt' as const, target: '/bin/x', provider: 'p', name });
    const spec = { readyDelay: true, irq: false, syscalls: false as const, window: { start: usdt('s'), stop: usdt('e'), minNs: 0, per: 'thread' as const } };
    const c = createEbpfCapture(spec, machineFacts({ btf: true }), 'bpftrace');
    const err = await c.start([]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(/collect\.ebpf\.window needs the libbpf capture.*KDELTA_EBPF=bpftrace/u);
  });
});

describe("leaving kdelta's own uretprobe syscall out of windows", () => {
  const probe = (kind: 'usdt' | 'uretprobe' | 'uprobe') => ({ kind, target: '/bin/x', provider: 'p', name: 'f' });
  const syscalls = (include: string[], exclude: string[] = []) => ({ include, exclude, excludeBlocking: false, sample: 1 });
  const spec = (stop: 'usdt' | 'uretprobe', include: string[] = [], exclude: string[] = []) => ({
    readyDelay: true,
    irq: false,
    syscalls: syscalls(include, exclude),
    window: { start: probe('uprobe'), stop: probe(stop), minNs: 0, per: 'thread' as const },
  });

  it('excludes it with a uretprobe stop on x86_64, and says so', () => {
    const r = withoutObserverSyscalls(spec('uretprobe', [], ['futex']), 'x86_64');
    expect(r.spec.syscalls && r.spec.syscalls.exclude).toEqual(['futex', 'uretprobe']);
    expect(r.note).toMatch(/syscall uretprobe left out.*collect\.ebpf\.syscalls\.include/u);
  });

  it('excludes it with a uretprobe start too', () => {
    const s = { ...spec('usdt'), window: { ...spec('usdt').window, start: probe('uretprobe') } };
    expect(withoutObserverSyscalls(s, 'x86_64').note).not.toBeNull();
  });

  it('keeps the spec as written when the scenario names it, lists only others, or has no return probe', () => {
    for (const s of [spec('uretprobe', ['uretprobe', 'nanosleep']), spec('uretprobe', ['nanosleep']), spec('usdt')]) {
      const r = withoutObserverSyscalls(s, 'x86_64');
      expect(r.spec).toBe(s);
      expect(r.note).toBeNull();
    }
  });

  it('changes nothing where the architecture has no such syscall, or syscalls are off', () => {
    expect(withoutObserverSyscalls(spec('uretprobe'), 'aarch64').note).toBeNull();
    expect(withoutObserverSyscalls({ ...spec('uretprobe'), syscalls: false }, 'x86_64').note).toBeNull();
  });
});
