/**
 * /proc/vmstat: `name value` lines. Names starting with `nr_` are gauges (pages in a state
 * now); the rest are event counters since boot (pgfault, pgmajfault, pswpin, compact_stall,
 * pgscan_direct...), which is what a repetition's difference can use.
 */
export function parseVmstat(text: string): Map<string, number> | null {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = /^([a-z0-9_]+)\s+(\d+)\s*$/u.exec(line);
    if (!m?.[1] || m[2] === undefined) return null;
    out.set(m[1], Number(m[2]));
  }
  return out.size > 0 ? out : null;
}

/** Whether a vmstat field counts events (its difference means something) rather than measuring a level. */
export function isVmstatCounter(name: string): boolean {
  if (NR_COUNTERS.has(name)) return true;
  return !name.startsWith('nr_') && !name.endsWith('_threshold');
}

/** The few `nr_` fields that count events since boot rather than pages held now. */
const NR_COUNTERS = new Set(['nr_dirtied', 'nr_written', 'nr_foll_pin_acquired', 'nr_foll_pin_released']);

/** The event counters that moved across a repetition, as `mem.vmstat.<name>.count`; a counter that went back reads as 0. */
export function vmstatDeltas(before: Map<string, number>, after: Map<string, number>): Array<{ name: string; value: number }> {
  const out: Array<{ name: string; value: number }> = [];
  for (const [name, v] of after) {
    if (!isVmstatCounter(name)) continue;
    const b = before.get(name);
    if (b === undefined || v <= b) continue;
    out.push({ name: `mem.vmstat.${name}.count`, value: v - b });
  }
  return out;
}
