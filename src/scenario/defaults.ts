/** Defaults the file may leave out. */
export const SCENARIO_DEFAULTS = {
  repetitions: 10,
  warmup: 1,
  procIntervalMs: 250,
  syscallSample: 1,
  slowCallOverMs: 1,
  slowCallMax: 50,
  timeoutMs: 600_000,
  serviceTimeoutMs: 30_000,
  alpha: 0.05,
  tolerance: 0.05,
  correction: 'holm',
  test: 'mann-whitney',
  requireSameMachine: false,
  builtin: { threads: 2, durationMs: 2000, count: 100_000, cpu: null },
  // tinybench's own defaults, so a scenario that names none behaves like tinybench does elsewhere.
  tinybench: { timeMs: 1000, iterations: 64 },
  /** Gated when the file has no `gate.metrics` at all: a scenario should gate on something. */
  gatedMetrics: ['workload.wall_time'],
} as const;
