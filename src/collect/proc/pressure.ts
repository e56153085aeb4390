export interface PressureLine {
  /** Percentages of wall time stalled, averaged over 10, 60 and 300 seconds. */
  avg10: number;
  avg60: number;
  avg300: number;
  /** Microseconds stalled since boot (or since the cgroup was created). */
  totalUs: number;
}

export interface Pressure {
  /** Time at least one task was runnable but waiting for a CPU. */
  some: PressureLine;
  /** Time every non-idle task was waiting; null when the file has no `full` line (system CPU pressure before 5.13). */
  full: PressureLine | null;
}

/** Parses /proc/pressure/cpu or a cgroup's cpu.pressure. Returns null when there is no valid `some` line. */
export function parsePressure(text: string): Pressure | null {
  let some: PressureLine | null = null;
  let full: PressureLine | null = null;
  for (const line of text.split('\n')) {
    const m = /^(some|full)\s+avg10=([\d.]+)\s+avg60=([\d.]+)\s+avg300=([\d.]+)\s+total=(\d+)\s*$/.exec(line.trim());
    if (!m) continue;
    const parsed = { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalUs: Number(m[5]) };
    if (m[1] === 'some') some = parsed;
    else full = parsed;
  }
  return some ? { some, full } : null;
}
