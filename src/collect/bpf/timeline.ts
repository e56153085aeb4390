import type { SchedTimeline } from '../../run/timeline.js';
import type { Dump } from './dump.js';
import type { GroupNamer } from './groups.js';

/** The kernel's slot length (bpf/kdelta.bpf.c TL_SLOT_NS). */
export const KERNEL_SLOT_NS = 10_000_000;
/** report.html draws at most 100 columns of a time axis, so more slots would only grow report.json. */
export const MAX_SLOTS = 100;

/**
 * A repetition's timeline from its dump: the kernel counts in fixed 10 ms slots because it
 * cannot know how long the repetition will be; here adjacent slots are merged so that there
 * are at most 100 (a repetition shorter than 200 ms keeps fewer than 20). A group that neither
 * ran nor switched in (a launcher seen only as it exec'd) is left out. Pure.
 */
export function timelineFromDump(dump: Dump, ncpu: number, group: GroupNamer): Omit<SchedTimeline, 'repetition'> | null {
  if (dump.tl.length === 0) return null;
  let last = 0;
  for (const r of dump.tl) last = Math.max(last, r.slot);
  for (const k of dump.tlReady.keys()) last = Math.max(last, k);
  const kernelSlots = last + 1;
  const merge = Math.ceil(kernelSlots / MAX_SLOTS);
  const slots = Math.ceil(kernelSlots / merge);
  const cpus = Array.from({ length: ncpu }, (_, i) => i);
  const grid = (): number[][] => cpus.map(() => new Array<number>(slots).fill(0));
  const groups = new Map<string, { onCpuNs: number[][]; switches: number[][] }>();
  for (const r of dump.tl) {
    const name = group(r.comm);
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { onCpuNs: grid(), switches: grid() }));
    const s = Math.floor(r.slot / merge);
    for (let c = 0; c < ncpu; c++) {
      g.onCpuNs[c]![s]! += r.onCpuNs[c] ?? 0;
      g.switches[c]![s]! += r.switches[c] ?? 0;
    }
  }
  const readyDelayNs = new Array<number>(slots).fill(0);
  for (const [k, v] of dump.tlReady) readyDelayNs[Math.floor(k / merge)]! += v;
  return {
    slotNs: KERNEL_SLOT_NS * merge,
    slots,
    cpus,
    groups: [...groups]
      .filter(([, g]) => g.onCpuNs.some((row) => row.some((v) => v > 0)) || g.switches.some((row) => row.some((v) => v > 0)))
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([name, g]) => ({ name, ...g })),
    readyDelayNs,
    lost: dump.tlLost,
  };
}
