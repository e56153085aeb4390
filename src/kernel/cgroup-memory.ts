import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';

/** Whether the cgroup v2 memory controller accounts a cgroup, and if not, why. */
export type MemoryController =
  | { state: 'on' }
  | { state: 'off'; reason: string; fix: string };

/** The counters of a cgroup's memory.events and memory.stat that a repetition's delta means something for. */
export interface CgroupMemoryCounters {
  events: Record<string, number>;
  stat: Record<string, number>;
}

/** `memory.events` keys: how often the cgroup hit each boundary. */
export const MEMORY_EVENTS = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill'] as const;
/** `memory.stat` event counters (the rest of the file is sizes, whose delta is not an event count). */
export const MEMORY_STAT_EVENTS = ['pgfault', 'pgmajfault', 'pgscan', 'pgsteal', 'pgrefill', 'workingset_refault_anon', 'workingset_refault_file'] as const;

/** `key value` lines as numbers. */
export function parseKeyValues(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)\s+(\d+)\s*$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}

const words = (text: string | null): string[] => (text ?? '').split(/\s+/).filter(Boolean);

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** The cgroup v1 hierarchy the memory controller is bound to, from /proc/self/mountinfo text; null if none. */
export function memoryV1Mount(mountinfo: string): string | null {
  for (const line of mountinfo.split('\n')) {
    const sepAt = line.indexOf(' - ');
    if (sepAt < 0) continue;
    const [fstype, , superOpts] = line.slice(sepAt + 3).split(' ');
    if (fstype === 'cgroup' && (superOpts ?? '').split(',').includes('memory')) return line.slice(0, sepAt).split(' ')[4] ?? null;
  }
  return null;
}

/** From the mount root down to the cgroup's parent: each must delegate memory to the next. */
function ancestors(mount: string, cgroupPath: string): string[] {
  const rel = relative(mount, dirname(cgroupPath));
  const out = [mount];
  if (rel === '' || rel.startsWith('..')) return out;
  let at = mount;
  for (const part of rel.split(sep)) out.push((at = join(at, part)));
  return out;
}

/** Whether cgroup v2 can use the memory controller here at all (what doctor reports; it changes nothing). */
export async function memoryControllerOffered(mount: string, mountinfo: string | null): Promise<MemoryController> {
  if (words(await readText(join(mount, 'cgroup.controllers'))).includes('memory')) return { state: 'on' };
  const v1 = mountinfo === null ? null : memoryV1Mount(mountinfo);
  return v1 === null
    ? { state: 'off', reason: `the cgroup v2 root ${mount} does not offer the memory controller`, fix: 'a kernel built with CONFIG_MEMCG=y, booted without cgroup_disable=memory' }
    : { state: 'off', reason: `the memory controller is bound to the cgroup v1 hierarchy at ${v1}, so cgroup v2 (${mount}) cannot use it`, fix: 'boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=memory) so memory moves to cgroup v2' };
}

/**
 * Switches the memory controller on for a repetition cgroup where the kernel lets us: each
 * ancestor's cgroup.subtree_control gets `+memory`. A controller bound to a v1 hierarchy is
 * not offered to v2 at all (hybrid hosts), and a cgroup with processes of its own cannot
 * delegate one (EBUSY, the no-internal-process rule): both are reported, not fixed.
 */
export async function enableMemoryController(mount: string, cgroupPath: string, mountinfo: string | null): Promise<MemoryController> {
  if ((await readText(join(cgroupPath, 'memory.events'))) !== null) return { state: 'on' };
  const offered = await memoryControllerOffered(mount, mountinfo);
  if (offered.state === 'off') return offered;
  for (const dir of ancestors(mount, cgroupPath)) {
    if (words(await readText(join(dir, 'cgroup.subtree_control'))).includes('memory')) continue;
    try {
      await writeFile(join(dir, 'cgroup.subtree_control'), '+memory');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      const why = code === 'EBUSY' ? 'it has processes of its own' : code;
      return { state: 'off', reason: `cannot enable +memory in ${dir}/cgroup.subtree_control (${why})`, fix: `run kdelta from a cgroup whose parent delegates memory (e.g. systemd-run --scope -p Delegate=yes), or echo +memory > ${dir}/cgroup.subtree_control` };
    }
  }
  return (await readText(join(cgroupPath, 'memory.events'))) !== null
    ? { state: 'on' }
    : { state: 'off', reason: `${cgroupPath} has no memory.events after enabling +memory above it`, fix: 'check cgroup.subtree_control of its ancestors' };
}

/** The cgroup's memory counters now; null when the controller is off for it. */
export async function readCgroupMemory(cgroupPath: string): Promise<CgroupMemoryCounters | null> {
  const [events, stat] = await Promise.all([readText(join(cgroupPath, 'memory.events')), readText(join(cgroupPath, 'memory.stat'))]);
  if (events === null) return null;
  return { events: parseKeyValues(events), stat: parseKeyValues(stat ?? '') };
}
