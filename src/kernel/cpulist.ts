/**
 * Parses the kernel's CPU list format (`0-3,8-11`, `5`, empty for none), as found in
 * /sys/devices/system/cpu/online, node cpulists, thread_siblings_list and
 * /proc/irq/<n>/smp_affinity_list. Returns the CPUs in ascending order, or null when the
 * text is not a CPU list.
 */
export function parseCpuList(text: string): number[] | null {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const cpus = new Set<number>();
  for (const part of trimmed.split(',')) {
    // Ranges may carry a stride on newer kernels (`0-31:2/4`); not written by the files we read, so refused.
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi < lo) return null;
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return [...cpus].sort((a, b) => a - b);
}

/** The inverse of parseCpuList: `[0,1,2,3,8]` -> `0-3,8`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
