import type { MachineFacts } from '../../environment/types.js';
import type { Availability } from '../types.js';

/** What the kernel collector's opt-in parts measure. */
export const KERNEL_METRICS: readonly string[] = [
  'net.skb.*',
  'net.dev.*.packets',
  'net.tcp.*',
  'mem.faults.*',
  'block.*',
  'sched.runqueue_length.*',
  'irq.smp_call.count',
];

/** Whether bpftrace can run the kernel parts here; which tracepoints each part has is doctor's detail. */
export function kernelAvailability(facts: MachineFacts): Availability {
  const no = (reason: string, fix: string): Availability => ({ state: 'unavailable', reason, fix, disables: [...KERNEL_METRICS] });
  if (!facts.isRoot && !facts.hasBpfCaps) return no('not root and no CAP_BPF + CAP_PERFMON', 'run kdelta as root (sudo) or grant cap_bpf,cap_perfmon');
  if (!facts.bpftrace) return no('bpftrace is not installed', 'apt-get install bpftrace');
  if (!facts.tracefs) return no('tracefs is not mounted', 'mount -t tracefs tracefs /sys/kernel/tracing');
  return { state: 'ready', detail: `bpftrace ${facts.bpftrace.version}, tracepoints under ${facts.tracefs}` };
}
