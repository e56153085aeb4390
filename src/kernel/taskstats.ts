import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** helpers/bin/kdelta-taskstats: src/kernel/ (or dist/kernel/) is two folders below the package root. */
export const TASKSTATS_HELPER = fileURLToPath(new URL('../../helpers/bin/kdelta-taskstats', import.meta.url));
import { DEFAULT_DELAYACCT, holdDelayAcct, releaseDelayAcct, type DelayAcctSwitch } from './delayacct.js';

/** One task's counters at its exit, as the kernel's taskstats exit notification gives them. */
export interface TaskExit {
  tid: number;
  tgid: number;
  ppid: number;
  runNs: number;
  runDelayNs: number;
  timeslices: number;
  voluntary: number;
  involuntary: number;
  name: string;
}

/** One `x ...` line of the helper; null for anything else. Pure. */
export function parseExitLine(line: string): TaskExit | null {
  const m = /^x (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\S+)$/.exec(line);
  if (!m) return null;
  const n = (i: number) => Number(m[i]);
  return { tid: n(1), tgid: n(2), ppid: n(3), runNs: n(4), runDelayNs: n(5), timeslices: n(6), voluntary: n(7), involuntary: n(8), name: m[9]! };
}

/** A running listener: exits seen so far are taken with `drain`, which first syncs with the kernel's queue. */
export interface ExitListener {
  /** Every exit the kernel reported up to now (the helper answers only after emptying its socket), cleared. */
  drain(timeoutMs?: number): Promise<{ exits: TaskExit[]; lost: number }>;
  stop(): Promise<void>;
}

/**
 * Starts helpers/bin/kdelta-taskstats with delay accounting on (switched back off at stop by
 * the last run that needs it, if a run found it off: see delayacct.ts). Null where the helper
 * is missing or cannot register (not root, no CONFIG_TASKSTATS), with the reason.
 */
let holders = 0;

export async function startExitListener(sw: DelayAcctSwitch = DEFAULT_DELAYACCT): Promise<ExitListener | { error: string }> {
  if (!existsSync(TASKSTATS_HELPER)) return { error: `${TASKSTATS_HELPER} is missing (npm run build)` };
  const holder = `${process.pid}.${++holders}`;
  try {
    holdDelayAcct(holder, sw);
  } catch (err) {
    return { error: `cannot switch on delay accounting (${sw.sysctl}): ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  let held = true;
  const restore = async () => {
    if (held) releaseDelayAcct(holder, sw);
    held = false;
  };
  const child: ChildProcessByStdio<Writable, Readable, Readable> = spawn(TASKSTATS_HELPER, [], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.on('error', () => undefined);
  const exits: TaskExit[] = [];
  let lost = 0;
  let seq = 0;
  const waiters = new Map<number, () => void>();
  let ready: (ok: boolean) => void = () => undefined;
  const readyP = new Promise<boolean>((r) => (ready = r));
  child.once('exit', () => {
    ready(false);
    for (const w of waiters.values()) w();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    const x = parseExitLine(line);
    if (x) exits.push(x);
    else if (line === 'ready') ready(true);
    else if (line.startsWith('lost ')) lost++;
    else if (line.startsWith('s ')) waiters.get(Number(line.slice(2)))?.();
  });
  if (!(await readyP)) {
    await restore();
    return { error: stderr.trim() || 'kdelta-taskstats stopped before it registered' };
  }
  return {
    async drain(timeoutMs = 2000) {
      const n = ++seq;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs);
        waiters.set(n, () => {
          clearTimeout(t);
          resolve();
        });
        child.stdin.write(`s ${n}\n`);
      });
      waiters.delete(n);
      const out = { exits: exits.splice(0), lost };
      lost = 0;
      return out;
    },
    async stop() {
      child.stdin.end();
      if (child.exitCode === null) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            r();
          }, 1000);
          child.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      await restore();
    },
  };
}
