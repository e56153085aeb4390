import { mountPointsOf } from './mounts.js';

/** Where tracefs is mounted by convention; bpftrace also looks under debugfs. */
export const TRACEFS_PATH = '/sys/kernel/tracing';

/** Where tracefs is mounted according to mountinfo (directly, or the automount under debugfs), or null. */
export function findTracefsMount(mountinfo: string): string | null {
  const points = tracefsMountPoints(mountinfo);
  // Prefer the canonical place when tracefs is mounted more than once.
  return points.find((p) => p === TRACEFS_PATH) ?? points[0] ?? null;
}

/** Every tracefs mount point in mountinfo order. */
export function tracefsMountPoints(mountinfo: string): string[] {
  return mountPointsOf(mountinfo, 'tracefs');
}
