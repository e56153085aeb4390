import { access, readdir, readFile } from 'node:fs/promises';
import { ensureTracefs } from '../../environment/probe.js';
import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
import { DEFAULT_PREEMPTED_STATE_BIT } from './program.js';

/** TASK_REPORT_MAX from the sched_switch format's print fmt: `... & (((0x.. | 0x..) + 1) << 1) ? "+"`. */
export function preemptedBitFromFormat(format: string): number | null {
  const m = /prev_state & \(\(\(([^)]*)\) \+ 1\) << 1\) \? "\+"/.exec(format);
  if (!m?.[1]) return null;
  let mask = 0;
  for (const part of m[1].split('|')) {
    const v = Number(part.trim());
    if (!Number.isFinite(v)) return null;
    mask |= v;
  }
  return (mask + 1) << 1;
}

/** IRQ number -> handler names from /sys/kernel/irq/<n>/actions (what /proc/interrupts shows last). */
export async function readIrqNames(root = '/sys/kernel/irq'): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  let dirs: string[] = [];
  try {
    dirs = await readdir(root);
  } catch {
    return out;
  }
  await Promise.all(
    dirs.map(async (d) => {
      const n = Number(d);
      if (!Number.isInteger(n)) return;
      try {
        const a = (await readFile(`${root}/${d}/actions`, 'utf8')).trim();
        if (a) out[n] = a.replace(/,/g, '+').replace(/\s+/g, '_');
      } catch {
        /* no actions file */
      }
    }),
  );
  return out;
}

/**
 * What the program needs to know about this kernel before it is built: tracefs mounted (kdelta
 * mounts it when it may), the preempted bit of sched_switch's prev_state, and the task_rename
 * tracepoint the markers ride on.
 */
export async function readTracingFacts(facts: MachineFacts): Promise<{ tracefs: string; preemptedStateBit: number }> {
  let tracefs = facts.tracefs;
  if (!tracefs) {
    const m = await ensureTracefs(facts);
    if (!m.mounted) throw new EnvironmentError(`eBPF capture: tracefs is not mounted: ${m.error ?? ''}`);
    tracefs = m.path ?? '/sys/kernel/tracing';
  }
  let preempted = DEFAULT_PREEMPTED_STATE_BIT;
  try {
    preempted = preemptedBitFromFormat(await readFile(`${tracefs}/events/sched/sched_switch/format`, 'utf8')) ?? preempted;
  } catch {
    /* keep the 6.x value */
  }
  try {
    await access(`${tracefs}/events/task/task_rename`);
  } catch {
    throw new EnvironmentError(`eBPF capture: ${tracefs}/events/task/task_rename is missing`);
  }
  return { tracefs, preemptedStateBit: preempted };
}
