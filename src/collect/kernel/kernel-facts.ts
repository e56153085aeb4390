import { access, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KernelParts } from '../../scenario/types.js';
import { memoryControllerOffered, type MemoryController } from '../../kernel/cgroup-memory.js';
import { PART_TRACEPOINTS } from './program.js';

/** Drop reason numbers and names from the `__print_symbolic` list of kfree_skb's format. */
export function dropReasonsFromFormat(format: string): Record<number, string> {
  const out: Record<number, string> = {};
  for (const m of format.matchAll(/\{\s*(\d+),\s*"([A-Za-z0-9_]+)"\s*\}/g)) out[Number(m[1])] = m[2]!;
  return out;
}

/** `pgmajfault` from a cgroup's memory.stat text; null when the line is missing. */
export function majorFaultsFromMemoryStat(text: string): number | null {
  const m = /^pgmajfault (\d+)$/m.exec(text);
  return m ? Number(m[1]) : null;
}

export async function readDropReasons(tracefs: string): Promise<Record<number, string>> {
  try {
    return dropReasonsFromFormat(await readFile(join(tracefs, 'events/skb/kfree_skb/format'), 'utf8'));
  } catch {
    return {};
  }
}

/** Whether tcp_retransmit_skb reports the transmit's result (`err`, Linux 6.10+). */
export async function retransmitHasErr(tracefs: string): Promise<boolean> {
  try {
    return /\bint err;/.test(await readFile(join(tracefs, 'events/tcp/tcp_retransmit_skb/format'), 'utf8'));
  } catch {
    return false;
  }
}

/** Block devices by the kernel's internal dev_t (major << 20 | minor), which the block tracepoints print. */
export async function readBlockDevices(sysRoot = '/sys'): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  let ids: string[];
  try {
    ids = await readdir(join(sysRoot, 'dev/block'));
  } catch {
    return out;
  }
  await Promise.all(
    ids.map(async (id) => {
      const [maj, min] = id.split(':').map(Number);
      if (maj === undefined || min === undefined) return;
      try {
        const name = /^DEVNAME=(.+)$/m.exec(await readFile(join(sysRoot, 'dev/block', id, 'uevent'), 'utf8'))?.[1];
        if (name) out[maj * 2 ** 20 + min] = name;
      } catch {
        /* gone */
      }
    }),
  );
  return out;
}

/** A major-fault counter and where it was read. */
export interface MajorFaults {
  n: number;
  source: 'memory.stat' | 'vmstat';
}

/**
 * The repetition cgroup's pgmajfault, or the machine's from /proc/vmstat where the memory
 * controller is off for the cgroup (its tasks' own counters are gone once they exit).
 */
export async function readMajorFaults(cgroupPath: string, procRoot = '/proc'): Promise<MajorFaults | null> {
  const read = async (file: string): Promise<number | null> => {
    try {
      return majorFaultsFromMemoryStat(await readFile(file, 'utf8'));
    } catch {
      return null;
    }
  };
  const own = await read(join(cgroupPath, 'memory.stat'));
  if (own !== null) return { n: own, source: 'memory.stat' };
  const machine = await read(join(procRoot, 'vmstat'));
  return machine === null ? null : { n: machine, source: 'vmstat' };
}

/** For each part, the tracepoints it needs that this kernel lacks (empty: it can run). */
export async function missingTracepoints(tracefs: string): Promise<Record<keyof KernelParts, string[]>> {
  const out = {} as Record<keyof KernelParts, string[]>;
  for (const [part, tps] of Object.entries(PART_TRACEPOINTS) as Array<[keyof KernelParts, readonly string[]]>) {
    const missing: string[] = [];
    for (const tp of tps) {
      try {
        await access(join(tracefs, 'events', tp));
      } catch {
        missing.push(tp);
      }
    }
    out[part] = missing;
  }
  return out;
}

/** Whether cgroup v2 can give the repetition cgroups the memory controller here; null without cgroup v2. */
export async function memoryControllerHere(cgroup2: string | null): Promise<MemoryController | null> {
  if (cgroup2 === null) return null;
  let mountinfo: string | null = null;
  try {
    mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  } catch {
    /* the answer then names the v2 root only */
  }
  return memoryControllerOffered(cgroup2, mountinfo);
}
