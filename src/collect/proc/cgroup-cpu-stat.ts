/**
 * Parses a cgroup v2 cpu.stat: `key value` lines. Always present: usage_usec, user_usec,
 * system_usec (and nice_usec on newer kernels); with the cpu controller enabled also
 * nr_periods, nr_throttled, throttled_usec, nr_bursts, burst_usec. Kept as a map because
 * the set of keys varies by kernel and controller.
 */
export function parseCgroupCpuStat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+)\s+(\d+)\s*$/.exec(line.trim());
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}
