import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricPoint } from '../metrics/types.js';

/** One thread's counters that only grow: context switches from status, run-queue wait from schedstat. */
export interface ThreadCounters {
  voluntary: number;
  involuntary: number;
  runDelayNs: number;
}

/** The service's cgroup at one moment: its cpu.stat and each of its threads' counters. */
export interface ServiceCounters {
  cpuStat: Record<string, number> | null;
  threads: Map<number, ThreadCounters>;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** cgroup v2 cpu.stat: `key value` lines. */
export function parseCpuStat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/u);
    if (key && value !== undefined && /^[0-9]+$/u.test(value)) out[key] = Number(value);
  }
  return out;
}

/** The counters of one thread from /proc/<tid>/status and /proc/<tid>/schedstat, or null when it is gone or the text is not theirs. */
export function parseThreadCounters(status: string, schedstat: string): ThreadCounters | null {
  const field = (name: string): number | null => {
    const m = new RegExp(`^${name}:\\s*([0-9]+)$`, 'mu').exec(status);
    return m?.[1] === undefined ? null : Number(m[1]);
  };
  const voluntary = field('voluntary_ctxt_switches');
  const involuntary = field('nonvoluntary_ctxt_switches');
  const runDelay = schedstat.trim().split(/\s+/u)[1];
  if (voluntary === null || involuntary === null || runDelay === undefined || !/^[0-9]+$/u.test(runDelay)) return null;
  return { voluntary, involuntary, runDelayNs: Number(runDelay) };
}

/**
 * Reads the service's cgroup. A server's threads live through the whole scenario, so reading
 * them at the start and the end of a repetition sees (unlike a short workload's) nearly all of
 * their switches; threads that came and went inside one repetition are the ones missed.
 */
export async function readServiceCounters(cgroupPath: string, procRoot = '/proc'): Promise<ServiceCounters> {
  const [cpu, list] = await Promise.all([readText(join(cgroupPath, 'cpu.stat')), readText(join(cgroupPath, 'cgroup.threads'))]);
  const tids = (list ?? '').split('\n').filter(Boolean).map(Number).filter(Number.isInteger);
  const threads = new Map<number, ThreadCounters>();
  await Promise.all(
    tids.map(async (tid) => {
      const [status, schedstat] = await Promise.all([readText(join(procRoot, `${tid}/status`)), readText(join(procRoot, `${tid}/schedstat`))]);
      const counters = status !== null && schedstat !== null ? parseThreadCounters(status, schedstat) : null;
      if (counters) threads.set(tid, counters);
    }),
  );
  return { cpuStat: cpu === null ? null : parseCpuStat(cpu), threads };
}

function count(name: string, value: number, unit: string, source: string): MetricPoint {
  return { name, unit, better: 'lower', value: Math.max(0, value), source, zeroWhenAbsent: true };
}

/**
 * What the service did between two readings: `service.cpu_time*` from its cgroup's cpu.stat,
 * `service.context_switches*` and `service.run_delay.total` summed over its threads (a
 * thread born in between counts from 0).
 */
export function serviceMetrics(before: ServiceCounters, after: ServiceCounters): MetricPoint[] {
  const out: MetricPoint[] = [];
  const a = before.cpuStat;
  const b = after.cpuStat;
  if (a && b) {
    const keys: Array<[string, string]> = [
      ['usage_usec', 'service.cpu_time'],
      ['user_usec', 'service.cpu_time.user'],
      ['system_usec', 'service.cpu_time.system'],
      ['throttled_usec', 'service.throttled_time'],
    ];
    for (const [key, name] of keys) {
      const x = a[key];
      const y = b[key];
      if (x !== undefined && y !== undefined) out.push(count(name, (y - x) * 1000, 'ns', 'cgroup'));
    }
  }
  if (after.threads.size === 0) return out;
  let voluntary = 0;
  let involuntary = 0;
  let runDelayNs = 0;
  for (const [tid, end] of after.threads) {
    const start = before.threads.get(tid) ?? { voluntary: 0, involuntary: 0, runDelayNs: 0 };
    voluntary += end.voluntary - start.voluntary;
    involuntary += end.involuntary - start.involuntary;
    runDelayNs += end.runDelayNs - start.runDelayNs;
  }
  out.push(count('service.context_switches', voluntary + involuntary, '1', 'proc-status'));
  out.push(count('service.context_switches.voluntary', voluntary, '1', 'proc-status'));
  out.push(count('service.context_switches.involuntary', involuntary, '1', 'proc-status'));
  out.push(count('service.run_delay.total', runDelayNs, 'ns', 'schedstat'));
  return out;
}
