import { readdir, readFile } from 'node:fs/promises';

/** The environment variable the runner puts on a repetition's workload: its cgroup, so processes that left it can be found. */
export const REPETITION_MARK = 'KDELTA_REPETITION_CGROUP';

/**
 * Kills the live processes that carry this repetition's mark in their environment and that are
 * no longer in its cgroup (called once the cgroup itself was killed, so every marked process
 * still alive has left it, e.g. by writing itself into the root cgroup's cgroup.procs). The
 * cgexec watchdog carries the mark too but stays outside on purpose; it is told by its name.
 * Returns how many were killed.
 */
export async function killEscaped(cgroupPath: string): Promise<number> {
  const needle = Buffer.from(`\0${REPETITION_MARK}=${cgroupPath}\0`);
  const first = Buffer.from(`${REPETITION_MARK}=${cgroupPath}\0`);
  let killed = 0;
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const env = await readFile(`/proc/${entry}/environ`);
      if (env.indexOf(needle) < 0 && env.subarray(0, first.length).compare(first) !== 0) continue;
      if ((await readFile(`/proc/${entry}/comm`, 'utf8')).trim() === 'kdelta-watchdog') continue;
      process.kill(Number(entry), 'SIGKILL');
      killed++;
    } catch {
      // Gone meanwhile, a zombie (no environment), or not ours to read.
    }
  }
  return killed;
}
