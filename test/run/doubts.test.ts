import { describe, expect, it } from 'vitest';
import { captureDoubt, workloadDoubts } from '../../src/run/doubts.js';

const EBPF = ['sched.ready_delay.*', 'syscall.*', 'thread.*'];

describe('a capture loss as a doubt on the metrics it feeds', () => {
  it('maps each full map to its metrics and counts what it dropped', () => {
    expect(captureDoubt(2, 'ready-delay map full: 12370 episodes dropped', EBPF)).toEqual({
      doubt: { kind: 'capture-lost', repetition: 2, entries: 12_370, what: 'ready-delay map full: 12370 episodes dropped' },
      metrics: ['sched.ready_delay.*', 'service.sched.ready_delay.*'],
    });
    expect(captureDoubt(1, 'thread-group map full: 40 updates dropped', EBPF)?.metrics).toEqual(['thread.*']);
    expect(captureDoubt(1, 'bpftrace lost 7 events', EBPF)).toMatchObject({ doubt: { entries: 7 }, metrics: EBPF });
    expect(captureDoubt(1, 'bpftrace helper error map_update_elem -7 x31 (map full: updates dropped)', EBPF)).toMatchObject({ doubt: { entries: 31 } });
  });

  it('leaves out losses that feed no metric or count nothing', () => {
    expect(captureDoubt(1, 'timeline map full or repetition past 40960 ms: 5 updates dropped', EBPF)).toBeNull();
    expect(captureDoubt(1, 'eBPF capture was not running for this repetition', EBPF)).toBeNull();
    expect(captureDoubt(1, 'map nearly full: @rd 3900/4096', EBPF)).toBeNull();
  });
});

describe("the workload's own doubts", () => {
  const ok = { state: 'ok' as const, wallTimeNs: 1, metrics: [], tasks: { pid: 1, threads: [] } };
  it('a workload outside its cgroup doubts every metric; cut stdout only the figures read from it', () => {
    expect(workloadDoubts(3, { ...ok, leftCgroup: 2 }, ['workload.ops'])).toEqual([{ doubt: { kind: 'left-cgroup', repetition: 3, processes: 2 }, metrics: ['*'] }]);
    expect(workloadDoubts(1, { ...ok, cut: { bytes: 10, lines: 1 } }, ['workload.ops'])).toEqual([{ doubt: { kind: 'output-cut', repetition: 1, bytes: 10, lines: 1 }, metrics: ['workload.ops'] }]);
    expect(workloadDoubts(1, { ...ok, cut: { bytes: 10, lines: 1 } }, [])).toEqual([]);
    expect(workloadDoubts(1, ok, ['workload.ops'])).toEqual([]);
  });
});
