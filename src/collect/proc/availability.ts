import type { Availability } from '../types.js';
import type { MachineFacts } from '../../environment/types.js';

/** A feature of this machine the /proc sampler can do without, and the metrics lost without it. */
export interface ProcDegradation {
  missing: string;
  disables: string[];
}

/** What the /proc sampler cannot measure here, feature by feature. */
export function procDegradations(facts: MachineFacts): ProcDegradation[] {
  const out: ProcDegradation[] = [];
  if (!facts.psi) {
    out.push({ missing: 'no pressure stall information (/proc/pressure/cpu; CONFIG_PSI off or psi=0)', disables: ['system.psi.cpu_some', 'sched.cgroup_pressure.some'] });
  }
  if (!facts.schedstat) {
    out.push({ missing: 'no per-task schedstat (CONFIG_SCHED_INFO off)', disables: ['sched.ready_delay.total (schedstat fallback)'] });
  }
  if (!facts.cgroup2) {
    out.push({
      missing: 'no cgroup v2 mount: the workload has no cgroup to poll',
      disables: ['sched.context_switches*', 'sched.cgroup_pressure.some', 'sched.cpu_time', 'sched.ready_delay.total (unless the workload reports its threads)'],
    });
  }
  return out;
}

/**
 * The /proc sampler runs wherever /proc does, root or not; what a machine lacks only takes
 * away some metrics, which `detail` lists.
 */
export function procAvailability(facts: MachineFacts): Availability {
  const lost = procDegradations(facts);
  if (lost.length === 0) return { state: 'ready' };
  return { state: 'ready', detail: lost.map((d) => `${d.missing}: without ${d.disables.join(', ')}`).join('; ') };
}
