import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Delay accounting (kernel.task_delayacct) switched on for as long as any kdelta run needs it.
 *
 * Each run that needs it leaves a holder file named by its pid (and a number, for several in one
 * process); the run that found the switch
 * off leaves an `off` mark. A run that lets go switches it back off only when no live run
 * holds it any more, so two runs at once cannot switch it off under each other. The changes
 * are made under a lock (an exclusive mkdir) so that a run letting go and a run taking hold
 * see each other. A dead run's holder file is ignored, and its lock broken after a while.
 */
export interface DelayAcctSwitch {
  /** The sysctl file; the registry folder. */
  sysctl: string;
  dir: string;
  /** Whether a pid is a live process (tests replace it). */
  alive(pid: number): boolean;
}

export const DEFAULT_DELAYACCT: DelayAcctSwitch = {
  sysctl: '/proc/sys/kernel/task_delayacct',
  dir: '/run/kdelta/delayacct',
  alive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

const LOCK_WAIT_MS = 2000;

function withLock<T>(sw: DelayAcctSwitch, body: () => T): T {
  mkdirSync(sw.dir, { recursive: true });
  const lock = join(sw.dir, 'lock');
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A holder of the lock that died: after the wait, take the lock over.
      if (Date.now() > until) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    return body();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const HOLDER = /^(\d+)\.\d+$/;

function liveHolders(sw: DelayAcctSwitch): string[] {
  return readdirSync(sw.dir).filter((f) => {
    const m = HOLDER.exec(f);
    return m !== null && sw.alive(Number(m[1]));
  });
}

/** Takes hold as `holder` (`PID.N`), switching delay accounting on if it was off. Throws what the sysctl write throws. */
export function holdDelayAcct(holder: string, sw: DelayAcctSwitch = DEFAULT_DELAYACCT): void {
  withLock(sw, () => {
    writeFileSync(join(sw.dir, holder), '');
    if (readFileSync(sw.sysctl, 'utf8').trim() === '0') {
      writeFileSync(sw.sysctl, '1');
      writeFileSync(join(sw.dir, 'off'), '');
    }
  });
}

/** Lets go as `holder`; the last live holder switches delay accounting back off if a run found it off. */
export function releaseDelayAcct(holder: string, sw: DelayAcctSwitch = DEFAULT_DELAYACCT): void {
  try {
    withLock(sw, () => {
      rmSync(join(sw.dir, holder), { force: true });
      if (liveHolders(sw).length > 0) return;
      // Dead runs' holder files go with the last live one.
      for (const f of readdirSync(sw.dir)) if (HOLDER.test(f)) rmSync(join(sw.dir, f), { force: true });
      const off = join(sw.dir, 'off');
      try {
        rmSync(off);
      } catch {
        return;
      }
      writeFileSync(sw.sysctl, '0');
    });
  } catch {
    // The registry is best effort: a run that cannot clean up leaves the switch on, which costs
    // a little accounting, never a wrong figure.
  }
}
