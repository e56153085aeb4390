/**
 * The limits a scenario file must stay within, each refused with exit 2 and the position of
 * the value. They keep a typo (`repetitions: 100000000`, `timeout: 99999999m`) from turning
 * into thousands of cgroups, a timer that fires at once, or minutes spent validating.
 */
export const BOUNDS = {
  /** Refused before parsing: a scenario is a page of settings, and parsing costs memory in proportion. */
  fileBytes: 1024 * 1024,
  repetitions: { min: 1, max: 10_000 },
  warmup: { min: 0, max: 1_000 },
  /**
   * `kdelta ab` rounds: the signed-rank test cannot reach p < 0.05 in fewer than 5, and the
   * exact sequential design is calibrated up to 50.
   */
  rounds: { min: 5, max: 50 },
  /**
   * Node's timers hold a signed 32-bit count of milliseconds; a longer delay fires at once.
   * Every duration (timeouts, loads' run times, the sampling interval) is waited on by a timer.
   */
  durationMaxMs: 2 ** 31 - 1,
  /** Sampling /proc more often than this costs a noticeable part of a CPU and measures kdelta itself. */
  procIntervalMinMs: 10,
  /** A scenario's name is a file name (baselines/<machine>/<name>.json and its temporary twin), far under the kernel's 255 bytes. */
  nameChars: 100,
  descriptionChars: 10_000,
  workloadMetrics: 100,
  /**
   * RE2 instructions in one workload metric regex. Matching is linear in the output but also in
   * the pattern's size: `[\s\S]{1000}(x)` is 2,000 instructions and takes minutes over 4 MiB,
   * while the usual `([0-9.]+) ops/s` is 12.
   */
  regexInstructions: 200,
  /** collect.ebpf.syscalls include and exclude lists: more than any architecture has. */
  syscallNames: 1_000,
  /** collect.ebpf.syscalls.events: each event is about 600 bytes in the loader's ring buffer and a table row in the summary. */
  slowCallEventsMax: 1_000,
  /** A lower threshold turns ordinary calls into events: the ring buffer, not the workload, would be measured. */
  slowCallOverMinMs: 0.01,
  /** gate.metrics entries, gate.limits items and workload.env variables. */
  gateMetrics: 1_000,
  limits: 1_000,
  envVars: 1_000,
  /** Per file; the rest are counted in one closing line, so 40,000 unknown keys print 101 lines. */
  problemsShown: 100,
  /** YAML aliases expanded per file: a few share a block of settings, thousands are an alias bomb. */
  aliases: 100,
} as const;

/** `1048576` -> `1 MiB`; other sizes in bytes, so "just over the bound" does not read as the bound. */
export function describeBytes(bytes: number): string {
  const mib = 1024 * 1024;
  return bytes % mib === 0 ? `${bytes / mib} MiB` : `${bytes} bytes`;
}

/** `2147483647` -> `2147483647ms (about 24.9 days)`. */
export function describeMs(ms: number): string {
  const days = ms / 86_400_000;
  return days >= 1 ? `${ms}ms (about ${days.toFixed(1)} days)` : `${ms}ms`;
}
