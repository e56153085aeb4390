import type { CollectorKind } from '../../run/types.js';
import { procAvailability } from './availability.js';
import { createProcSession } from './session.js';

/**
 * What the /proc sampler measures: where interrupts landed and how many (per CPU, node,
 * handler and softirq vector), the whole machine's context, the workload cgroup's pressure,
 * CPU time and context switches, and the schedstat view of run-queue delay.
 */
export const PROC_METRICS: readonly string[] = [
  'irq.*',
  'softirq.*.count',
  'system.*',
  'sched.cgroup_pressure*',
  'sched.context_switches*',
  // The opt-in parts (`collect.proc.net`, `collect.proc.memory`), machine-wide deltas.
  'net.softnet.*',
  'net.snmp.*',
  'net.dev.*.count',
  'mem.vmstat.*',
  // `collect.proc.memory` with the memory controller on for the repetition cgroup: the workload's own.
  'mem.cgroup.*',
];

/** The /proc sampler as the runner sees it. */
export const procCollector: CollectorKind = {
  name: 'proc',
  provides: PROC_METRICS,
  availability: procAvailability,
  create(spec, facts, context) {
    if (spec.proc === false) throw new Error('the /proc sampler is off in this scenario');
    // With eBPF measuring ready delay, the schedstat figure is kept as `sched.run_delay.total`,
    // the kernel's own accounting beside it, instead of competing for the same name.
    return createProcSession(spec.proc, facts, { readyDelay: !context.readyDelayTaken });
  },
};
