import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { enableMemoryController, MEMORY_EVENTS, MEMORY_STAT_EVENTS, type CgroupMemoryCounters, type MemoryController } from '../../kernel/cgroup-memory.js';
import type { MetricPoint } from '../../metrics/types.js';
import type { RepetitionRef } from '../types.js';

/**
 * Switches the memory controller on for the repetition cgroups (they share one parent, so
 * the first one answers for all); where it cannot be, says why, once per scenario.
 */
export async function memoryControllerFor(reps: readonly RepetitionRef[], mount: string | null, procRoot: string): Promise<MemoryController> {
  const first = reps.find((r) => r.cgroup)?.cgroup;
  if (!first || mount === null) return { state: 'off', reason: 'no repetition cgroup', fix: 'a cgroup v2 mount' };
  let mountinfo: string | null = null;
  try {
    mountinfo = await readFile(join(procRoot, 'self/mountinfo'), 'utf8');
  } catch {
    /* the reason then names the v2 root only */
  }
  return enableMemoryController(mount, first.path, mountinfo);
}

/** The repetition's memory.events and memory.stat event deltas (`mem.cgroup.events.*`, `mem.cgroup.stat.*`). */
export function cgroupMemoryMetrics(before: CgroupMemoryCounters, after: CgroupMemoryCounters): MetricPoint[] {
  const out: MetricPoint[] = [];
  const push = (group: 'events' | 'stat', keys: readonly string[]) => {
    for (const key of keys) {
      const a = before[group][key];
      const b = after[group][key];
      if (a === undefined || b === undefined) continue;
      out.push({ name: `mem.cgroup.${group}.${key}.count`, unit: '1', better: 'lower', value: Math.max(0, b - a), zeroWhenAbsent: true, source: 'proc' });
    }
  };
  push('events', MEMORY_EVENTS);
  push('stat', MEMORY_STAT_EVENTS);
  return out;
}
