import type { Baseline } from '../../src/baselines/types.js';

export const environment: Baseline['environment'] = {
  arch: 'x86_64',
  cpuModel: 'Intel(R) Xeon(R) CPU @ 2.20GHz',
  cpuCount: 2,
  numaNodes: 1,
  smt: false,
  kernelRelease: '6.18.0',
  governor: null,
  bpftraceVersion: '0.17.0',
  irqAffinityDigest: '0123456789abcdef',
  nodeVersion: 'v20.20.2',
};

export const BASE = [100, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5, 100.2];

export function sampleBaseline(over: Partial<Baseline> = {}): Baseline {
  return {
    schemaVersion: 1,
    scenario: 'syscall-loop',
    workloadHash: 'a'.repeat(64),
    machine: 'x86_64-2cpu-1node-intel-xeon',
    metrics: {
      'workload.wall_time': { unit: 'ns', better: 'lower', samples: BASE.map((v) => v * 1e6) },
      'sched.ready_delay.p99': { unit: 'ns', better: 'lower', samples: BASE.map((v) => v * 1e3) },
      'syscall.read.count': { unit: '1', better: 'lower', samples: BASE.map((v) => Math.round(v * 10)) },
    },
    environment,
    provenance: { commit: '9762f54', time: '2026-11-21T22:00:00.000Z', reason: 'first baseline', kdeltaVersion: '0.1.0' },
    ...over,
  };
}
