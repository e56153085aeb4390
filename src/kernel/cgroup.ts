import { mkdir, readFile, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mountPointsOf } from './mounts.js';

/** The repetition's cgroup v2 directory, created by the runner before collectors start. */
export interface CgroupRef {
  /** Absolute path, e.g. /sys/fs/cgroup/unified/kdelta-<run>/<scenario>-r3. */
  path: string;
  /** The cgroup id the kernel reports to BPF (`cgroup` builtin): the directory's inode number. */
  id: bigint;
}

/**
 * Finds the cgroup2 mount point from mountinfo text. Pure-v2 hosts mount it at /sys/fs/cgroup,
 * hybrid ones (like our VMs) at /sys/fs/cgroup/unified, so it is never hard-coded.
 */
export function findCgroup2Mount(mountinfo: string): string | null {
  return mountPointsOf(mountinfo, 'cgroup2')[0] ?? null;
}

export async function cgroup2Mount(): Promise<string | null> {
  try {
    return findCgroup2Mount(await readFile('/proc/self/mountinfo', 'utf8'));
  } catch {
    return null;
  }
}

/** Creates a cgroup directory and returns its path and the id BPF's `cgroup` builtin reports (the inode number). */
export async function createCgroup(path: string): Promise<CgroupRef> {
  await mkdir(path, { recursive: true });
  const st = await stat(path, { bigint: true });
  return { path, id: st.ino };
}

/** Pids currently in the cgroup (cgroup.procs). */
export async function cgroupPids(cg: CgroupRef): Promise<number[]> {
  try {
    const text = await readFile(join(cg.path, 'cgroup.procs'), 'utf8');
    return text.split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Kills every process in the cgroup and waits until it is empty. cgroup.kill (Linux 5.14+)
 * kills the whole tree atomically, so a forking workload cannot escape between a read of
 * cgroup.procs and the kill; older kernels fall back to SIGKILL per listed pid, repeated.
 */
export async function killCgroup(cg: CgroupRef, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await cgroupPids(cg);
    if (pids.length === 0) return;
    try {
      await writeFile(join(cg.path, 'cgroup.kill'), '1');
    } catch {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} in ${cg.path} survived SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Kills what is left in the cgroup and removes its directory (children first). Never throws for a cgroup already gone. */
export async function removeCgroup(path: string): Promise<void> {
  try {
    await killCgroup({ path, id: 0n });
  } catch {
    /* rmdir below reports what is left */
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // EBUSY: the kernel frees a cgroup a moment after its last task is reaped.
      if (code === 'EBUSY' && attempt < 100) {
        await new Promise((r) => setTimeout(r, 20));
        continue;
      }
      throw err;
    }
  }
}
