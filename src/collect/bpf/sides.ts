import type { MetricPoint } from '../../metrics/types.js';
import type { Dump, Side } from './dump.js';
import { emptyDump } from './dump.js';

/**
 * One side of a dump: the repetition's workload (0, the driver) or the scenario's service (1).
 * The service side has syscalls, ready delay and run time only: interrupts, thread groups, the
 * timeline and windows are the workload's. Pure.
 */
export function sideOf(dump: Dump, side: Side): Dump {
  const sys = dump.sys.filter((r) => r.side === side);
  const rd = dump.rd.filter((r) => r.side === side);
  if (side === 0) return { ...dump, sys, rd };
  return { ...emptyDump(), sys, rd, run: dump.serviceRun };
}

/** The service side's points, named `service.<metric>` beside the /proc-based `service.*`. */
export function asService(points: MetricPoint[]): MetricPoint[] {
  return points.map((m) => ({ ...m, name: `service.${m.name}` }));
}

export const SERVICE_NOTE = 'service.syscall.*, service.sched.ready_delay.* and service.sched.run.*: the service cgroup\'s tasks over the driver\'s run (libbpf capture, the service side)';
