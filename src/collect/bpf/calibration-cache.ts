import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../files.js';

/*
 * The capture's calibration (what its programs add to one syscall and one context switch) takes
 * about 55 ms of the loader's start-up: as long as attaching everything else. It depends on the
 * machine, the loader build and the programs attached, not on the workload, so a run reuses a
 * figure an earlier run measured with the same loader and arguments on this boot, for an
 * hour. /run is a tmpfs: a reboot, which may change the kernel or the CPU, empties it.
 */

export interface CalibrationCost {
  syscall: number | null;
  switch: number | null;
}

export interface CachedCalibration extends CalibrationCost {
  /** When an earlier run measured it (ms since the epoch). */
  measuredAt: number;
}

export interface CalibrationCache {
  read(args: readonly string[]): CachedCalibration | null;
  write(args: readonly string[], cost: CalibrationCost): Promise<void>;
}

const MAX_AGE_MS = 60 * 60 * 1000;

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** The cache in `dir` (default /run/kdelta); a cache that cannot be read or written is simply empty. */
export function calibrationCache(loader: string, dir = '/run/kdelta', now: () => number = Date.now): CalibrationCache {
  const keyOf = (args: readonly string[]): string | null => {
    const boot = bootId();
    if (!boot) return null;
    let build: string;
    try {
      const st = statSync(loader);
      build = `${st.size}:${st.mtimeMs}`;
    } catch {
      return null;
    }
    return createHash('sha256').update([boot, loader, build, process.arch, ...args].join('\0')).digest('hex').slice(0, 32);
  };
  const pathOf = (key: string): string => join(dir, `calibration-${key}.json`);
  return {
    read(args) {
      const key = keyOf(args);
      if (!key) return null;
      try {
        const o = JSON.parse(readFileSync(pathOf(key), 'utf8')) as Partial<CachedCalibration>;
        const fresh = typeof o.measuredAt === 'number' && now() - o.measuredAt >= 0 && now() - o.measuredAt < MAX_AGE_MS;
        const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
        return fresh ? { measuredAt: o.measuredAt!, syscall: num(o.syscall), switch: num(o.switch) } : null;
      } catch {
        return null;
      }
    },
    async write(args, cost) {
      const key = keyOf(args);
      if (!key || (cost.syscall === null && cost.switch === null)) return;
      try {
        mkdirSync(dir, { recursive: true, mode: 0o755 });
        await writeFileAtomic(pathOf(key), JSON.stringify({ measuredAt: now(), ...cost }));
      } catch {
        // A read-only or full /run costs the next run its 55 ms, nothing more.
      }
    },
  };
}
