import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCgroupCpuStat } from './cgroup-cpu-stat.js';
import { parseInterrupts, type InterruptTable } from './interrupts.js';
import { parsePressure, type Pressure } from './pressure.js';
import { parseSoftirqs, type SoftirqTable } from './softirqs.js';
import { parseProcStat, type ProcStat } from './stat.js';
import { parseTaskSchedstat, parseTaskStatus } from '../../kernel/task.js';
import type { TaskReading } from './tasks.js';

/** One read of the machine-wide files (and the repetition cgroup's), at `t` seconds into the repetition. */
export interface SystemSample {
  t: number;
  interrupts: InterruptTable | null;
  softirqs: SoftirqTable | null;
  stat: ProcStat | null;
  psi: Pressure | null;
  cgroupPressure: Pressure | null;
  cgroupCpuStat: Record<string, number> | null;
  /** Sum of the polled threads' run_delay at this sample (cumulative within the repetition), for the time series. */
  taskRunDelayNs: number | null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

function parsed<T>(text: string | null, parse: (t: string) => T | null): T | null {
  return text === null ? null : parse(text);
}

/** Reads /proc/interrupts, /proc/softirqs, /proc/stat, /proc/pressure/cpu and the cgroup's cpu.pressure and cpu.stat, in parallel. */
export async function readSystemSample(procRoot: string, cgroupPath: string | null, t: number): Promise<SystemSample> {
  const [interrupts, softirqs, stat, psi, cgPressure, cgStat] = await Promise.all([
    readText(join(procRoot, 'interrupts')),
    readText(join(procRoot, 'softirqs')),
    readText(join(procRoot, 'stat')),
    readText(join(procRoot, 'pressure/cpu')),
    cgroupPath ? readText(join(cgroupPath, 'cpu.pressure')) : Promise.resolve(null),
    cgroupPath ? readText(join(cgroupPath, 'cpu.stat')) : Promise.resolve(null),
  ]);
  return {
    t,
    interrupts: parsed(interrupts, parseInterrupts),
    softirqs: parsed(softirqs, parseSoftirqs),
    stat: parsed(stat, parseProcStat),
    psi: parsed(psi, parsePressure),
    cgroupPressure: parsed(cgPressure, parsePressure),
    cgroupCpuStat: parsed(cgStat, parseCgroupCpuStat),
    taskRunDelayNs: null,
  };
}

/**
 * Reads schedstat and status of every thread in the cgroup (cgroup.threads). /proc/<tid>/
 * resolves any thread id, not only process leaders, and shows that thread's own counters,
 * so no readdir of /proc/<pid>/task is needed.
 */
export async function readCgroupTasks(procRoot: string, cgroupPath: string): Promise<TaskReading[]> {
  const list = await readText(join(cgroupPath, 'cgroup.threads'));
  if (list === null) return [];
  const tids = list.split('\n').filter(Boolean).map(Number).filter(Number.isInteger);
  return Promise.all(
    tids.map(async (tid) => {
      const [schedstat, status] = await Promise.all([readText(join(procRoot, `${tid}/schedstat`)), readText(join(procRoot, `${tid}/status`))]);
      return { tid, schedstat: parsed(schedstat, parseTaskSchedstat), status: parsed(status, parseTaskStatus) };
    }),
  );
}
