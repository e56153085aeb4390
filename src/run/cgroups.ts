import { readdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineFacts } from '../environment/types.js';
import { createCgroup, removeCgroup } from '../kernel/cgroup.js';
import type { CgroupOps, CgroupRef, Isolation, RepetitionRef } from './types.js';

/**
 * The real cgroup v2 operations. A repetition's cgroup is empty once its workload was killed, so
 * removal tries the bare rmdir first: the full kill-and-wait per cgroup costs seconds over the
 * thousands of cgroups a long scenario has, which an interrupted run must not wait for.
 */
export const kernelCgroups: CgroupOps = {
  create: createCgroup,
  remove: (path) => rmdir(path).catch(() => removeCgroup(path)),
};

/** Parent cgroup of one kdelta process: its pid is in the name so a later run can tell an orphan from a live run. */
export function runCgroupName(pid: number, runId: string): string {
  return `kdelta-${pid}-${runId}`;
}

/** A run's tree `kdelta-<pid>-<run>`, and the libbpf capture's calibration cgroup `kdelta-calib-<pid>`. */
const ORPHAN_NAME = /^kdelta-(?:(\d+)-|calib-(\d+)$)/;

/**
 * Removes cgroups left by a kdelta that was killed with SIGKILL (nothing else can clean up
 * after that): any `kdelta-<pid>-*` or `kdelta-calib-<pid>` directory whose pid is no longer
 * alive. Returns what it removed.
 */
export async function sweepOrphanCgroups(cgroup2: string): Promise<string[]> {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = await readdir(cgroup2);
  } catch {
    return removed;
  }
  for (const name of entries) {
    const m = ORPHAN_NAME.exec(name);
    if (!m || isAlive(Number(m[1] ?? m[2]))) continue;
    const dir = join(cgroup2, name);
    try {
      await removeCgroupTree(dir);
      removed.push(dir);
    } catch {
      /* still busy: a later run tries again */
    }
  }
  return removed;
}

/**
 * Removes a cgroup and every cgroup below it, deepest first: a run cgroup holds scenario
 * cgroups that hold the repetition ones, and only the leaves have processes to kill.
 */
async function removeCgroupTree(dir: string): Promise<void> {
  for (const child of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (child.isDirectory()) await removeCgroupTree(join(dir, child.name));
  }
  await removeCgroup(dir);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeSegment(name: string): string {
  return name.replace(/[^a-zA-Z0-9._-]/g, '_');
}

const REMOVE_BATCH = 64;

/** A scenario's repetitions, each with its cgroup when kdelta may create one, and how to remove them all. */
export interface RepetitionCgroups {
  reps: RepetitionRef[];
  /** The cgroup of the scenario's service, when it has one and kdelta may create cgroups. */
  service: CgroupRef | null;
  isolation: Isolation;
  /** Removes every cgroup created so far; reports what it could not remove and never throws. */
  remove(warn: (message: string) => void): Promise<void>;
}

/**
 * Creates one cgroup per repetition under `kdelta-<pid>-<run>/<scenario>/`, all before the
 * collectors start so one eBPF program can admit them all. Without root or cgroup v2 the
 * repetitions have none and the workload is told apart by its pid (the reason says what that misses).
 */
export async function createRepetitionCgroups(
  o: { facts: MachineFacts; pid: number; runId: string; scenario: string; count: number; warmup: number; service?: boolean; signal?: AbortSignal },
  ops: CgroupOps,
): Promise<RepetitionCgroups> {
  const reps: RepetitionRef[] = [];
  const { facts } = o;
  if (!facts.cgroup2 || !facts.isRoot) {
    const reason = facts.cgroup2
      ? 'not root: cannot create cgroups; the workload is told apart by its process id, so tasks it starts through a daemon, and threads that exit before a /proc poll, are missed'
      : 'no cgroup v2 mount on this machine; the workload is told apart by its process id';
    for (let i = 0; i < o.count; i++) reps.push({ index: i, warmup: i < o.warmup, cgroup: null });
    return { reps, service: null, isolation: { kind: 'pid', reason }, remove: async () => undefined };
  }
  const parent = join(facts.cgroup2, runCgroupName(o.pid, o.runId));
  const scenarioDir = join(parent, safeSegment(o.scenario));
  let service: CgroupRef | null = null;
  const remove = async (warn: (message: string) => void): Promise<void> => {
    // In batches: one at a time, the thousands a long scenario has take seconds, which an interrupted run must not wait.
    const paths = reps.flatMap((rep) => (rep.cgroup ? [rep.cgroup.path] : []));
    for (let i = 0; i < paths.length; i += REMOVE_BATCH) {
      await Promise.all(paths.slice(i, i + REMOVE_BATCH).map((path) => ops.remove(path).catch((err: unknown) => warn(String(err)))));
    }
    if (service) await ops.remove(service.path).catch((err: unknown) => warn(String(err)));
    await ops.remove(scenarioDir).catch(() => undefined);
    await ops.remove(parent).catch(() => undefined);
  };
  try {
    for (let i = 0; i < o.count; i++) {
      // Thousands of repetitions take seconds to create: the first SIGINT/SIGTERM stops here.
      o.signal?.throwIfAborted();
      reps.push({ index: i, warmup: i < o.warmup, cgroup: await ops.create(join(scenarioDir, `r${i}`)) });
    }
    if (o.service) service = await ops.create(join(scenarioDir, 'service'));
    // Collectors that capture the service too find its cgroup on every repetition.
    if (service) for (const rep of reps) rep.service = service;
  } catch (err) {
    await remove(() => undefined);
    throw err;
  }
  return { reps, service, isolation: { kind: 'cgroup', path: scenarioDir }, remove };
}
