import type { MachineFacts } from '../../environment/types.js';
import type { KernelParts } from '../../scenario/types.js';
import type { Availability } from '../types.js';

/** Each part's scenario key and metrics, for doctor and the README. */
export const KERNEL_PARTS: Record<keyof KernelParts, { key: string; metrics: readonly string[] }> = {
  net: { key: 'collect.ebpf.net', metrics: ['net.skb.*', 'net.dev.*.packets', 'net.tcp.*'] },
  block: { key: 'collect.ebpf.block', metrics: ['block.*'] },
  faults: { key: 'collect.ebpf.faults', metrics: ['mem.faults.*'] },
  runqueue: { key: 'collect.ebpf.runqueue', metrics: ['sched.runqueue_length.*'] },
  smpCalls: { key: 'collect.ebpf.smp_calls', metrics: ['kernel.smp_call.count'] },
};

/** What the kernel collector's opt-in parts measure. */
export const KERNEL_METRICS: readonly string[] = [
  'net.skb.*',
  'net.dev.*.packets',
  'net.tcp.*',
  'mem.faults.*',
  'block.*',
  'sched.runqueue_length.*',
  'kernel.smp_call.count',
];

/** Whether bpftrace can run the kernel parts here; which tracepoints each part has is doctor's detail. */
export function kernelAvailability(facts: MachineFacts): Availability {
  const no = (reason: string, fix: string): Availability => ({ state: 'unavailable', reason, fix, disables: [...KERNEL_METRICS] });
  if (!facts.isRoot && !facts.hasBpfCaps) return no('not root and no CAP_BPF + CAP_PERFMON', 'run kdelta as root (sudo) or grant cap_bpf,cap_perfmon');
  if (!facts.bpftrace) return no('bpftrace is not installed', 'apt-get install bpftrace');
  if (!facts.tracefs) return no('tracefs is not mounted', 'mount -t tracefs tracefs /sys/kernel/tracing');
  return { state: 'ready', detail: `bpftrace ${facts.bpftrace.version}, tracepoints under ${facts.tracefs}` };
}
