import { describe, expect, it } from 'vitest';
import { captureBackend, createEbpfCapture } from '../../../src/collect/bpf/choose.js';
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
