import type { MachineFacts } from '../../environment/types.js';
import type { Availability } from '../types.js';
import { syscallTableFor } from '../../kernel/syscalls/table.js';

/**
 * What the eBPF capture measures, and so what is lost when it cannot run: run-queue delay,
 * syscall latency, and the time spent in hard and soft interrupts (`.time` and
 * `.time_in_workload`; their counts come from /proc).
 */
export const EBPF_METRICS: readonly string[] = ['sched.ready_delay.*', 'syscall.*', 'irq.hard.*.time*', 'softirq.*.time*'];

/** A workload.service's side (libbpf capture only): its syscalls, ready delay and run time. */
export const SERVICE_EBPF_METRICS: readonly string[] = ['service.syscall.*', 'service.sched.ready_delay.*', 'service.sched.run.*'];

/** Whether bpftrace can attach kdelta's program here, and if not, why and how to fix it. */
export function ebpfAvailability(facts: MachineFacts): Availability {
  const no = (reason: string, fix?: string): Availability => ({
    state: 'unavailable',
    reason,
    ...(fix !== undefined && { fix }),
    disables: [...EBPF_METRICS],
  });
  if (!facts.isRoot && !facts.hasBpfCaps) return no('not root and no CAP_BPF + CAP_PERFMON', 'run kdelta as root (sudo) or grant cap_bpf,cap_perfmon');
  if (!facts.bpftrace) return no('bpftrace is not installed', 'apt-get install bpftrace');
  if (!facts.tracefs && !facts.isRoot) return no('tracefs is not mounted and kdelta is not root to mount it', 'mount -t tracefs tracefs /sys/kernel/tracing');
  if (!facts.cgroup2) return no('no cgroup v2 mount: the capture filters on the workload cgroup', 'mount cgroup2 (systemd does on current distributions)');
  if (!syscallTableFor(facts.arch)) return no(`no syscall table for ${facts.arch}`, 'turn collect.ebpf.syscalls off');
  const detail = [`bpftrace ${facts.bpftrace.version}`, facts.tracefs ? `tracefs at ${facts.tracefs}` : 'tracefs will be mounted', facts.btf ? 'BTF' : 'no BTF (tracepoints only)'];
  return { state: 'ready', detail: detail.join(', ') };
}

