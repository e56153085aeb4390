// Hand-made reports for the report tests: one of every verdict, a failed workload, awkward
// names, and a generator for runs with many scenarios.
import { summarize } from '../../src/metrics/summary.js';
import type { Histogram } from '../../src/metrics/types.js';
import type { MetricReport, Report, ScenarioReport } from '../../src/report/types.js';
import type { Verdict } from '../../src/report/types.js';
import type { SlowCall } from '../../src/run/syscall-events.js';

export const AWKWARD = `naïve<&"|'>`;

/** A log-linear histogram (8 sub-buckets) with a bell of counts around `centerNs`. */
export function histogramAround(centerNs: number, total: number): Histogram {
  const buckets: Histogram['buckets'] = [];
  let lo = 2 ** Math.floor(Math.log2(centerNs / 8));
  const top = centerNs * 8;
  while (lo < top) {
    const width = 2 ** Math.floor(Math.log2(lo)) / 8;
    const mid = lo + width / 2;
    const z = Math.log2(mid / centerNs);
    const count = Math.round(total * Math.exp(-z * z * 2) / 10);
    if (count > 0) buckets.push({ lo, hi: lo + width, count });
    lo += width;
  }
  return { unit: 'ns', subBuckets: 8, buckets };
}

export function metric(
  name: string,
  samples: number[],
  opts: Partial<Omit<MetricReport, 'name' | 'samples' | 'summary'>> & { baselineSamples?: number[] } = {},
): MetricReport {
  const { baselineSamples, ...rest } = opts;
  return {
    name,
    unit: 'ns',
    better: 'lower',
    samples,
    summary: summarize(samples),
    histogram: null,
    source: null,
    baseline: baselineSamples ? { samples: baselineSamples, summary: summarize(baselineSamples) } : null,
    gated: false,
    verdict: null,
    ...rest,
  };
}

const stats = (status: 'pass' | 'regression' | 'improvement', change: number, p: number): Verdict => ({
  status,
  change,
  ci: [change - 0.04, change + 0.04],
  pValue: p / 4,
  adjustedP: p,
  mde: 0.021,
  message: `${status} at ${(change * 100).toFixed(1)}%`,
});

const environment: Report['environment'] = {
  arch: 'x64',
  cpuModel: 'Intel(R) Xeon(R) <test> & "co"',
  cpuCount: 2,
  numaNodes: 1,
  smt: false,
  kernelRelease: '6.18.0-kdelta',
  governor: null,
  bpftraceVersion: 'v0.17.0',
  irqAffinityDigest: '0123456789abcdef',
  nodeVersion: 'v20.20.2',
};

function syscallScenario(): ScenarioReport {
  const base = [1000, 1020, 990, 1010, 1005, 998, 1003, 1011, 994, 1001];
  const cur = base.map((x) => x * 1.142);
  return {
    name: 'syscall-loop',
    description: 'A tight getppid loop pinned to CPU 1',
    file: '/work/main/scenarios/syscall-loop.yaml',
    status: 'regression',
    repetitions: 10,
    warmup: 2,
    isolation: { kind: 'cgroup', path: '/sys/fs/cgroup/unified/kdelta-r1/syscall-loop' },
    collectors: [
      { name: 'proc', enabled: true, availability: { state: 'ready' }, notes: [] },
      { name: 'ebpf', enabled: true, availability: { state: 'ready', detail: 'bpftrace v0.17.0' }, notes: ['syscalls timed 1 in 1'] },
    ],
    lost: [],
    failure: null,
    baseline: { path: 'baselines/vm-2cpu/syscall-loop.json', machine: 'vm-2cpu', recordedAt: '2026-11-01T10:00:00.000Z', mismatch: [], stale: false },
    metrics: [
      metric('workload.wall_time', [2.1e9, 2.0e9, 2.05e9], { gated: true, tolerance: 0.05, baselineSamples: [2.0e9, 2.1e9, 2.05e9], verdict: stats('pass', 0.004, 0.9) }),
      metric('sched.ready_delay.p99', cur, {
        gated: true,
        tolerance: 0.1,
        baselineSamples: base,
        histogram: histogramAround(1100, 50_000),
        source: 'ebpf',
        verdict: stats('regression', 0.142, 0.003),
      }),
      metric('sched.ready_delay.count', [50_000, 51_000, 49_500], { unit: '1', histogram: null }),
      metric('syscall.getppid.p99', [445, 450, 441], {
        gated: true,
        tolerance: 0.05,
        baselineSamples: [840, 850, 835],
        histogram: histogramAround(450, 1_000_000),
        verdict: stats('improvement', -0.47, 0.001),
      }),
      metric('irq.node0.share', [1, 1, 1], { unit: 'ratio', better: 'lower' }),
    ],
    limits: [
      {
        text: 'sched.ready_delay.p99 < 1us',
        metric: 'sched.ready_delay.p99',
        verdict: { status: 'limit-exceeded', value: 1142, limit: 'sched.ready_delay.p99 < 1us', message: 'median 1.14 µs is not < 1 µs' },
      },
    ],
    irqTable: {
      nodes: [0],
      rows: [
        { irq: 'LOC', name: 'Local timer interrupts', total: 123_456, perNode: [123_456] },
        { irq: '24', name: `virtio0-input.0 ${AWKWARD}`, total: 4_321, perNode: [4_321] },
      ],
      perCpu: [
        { cpu: 0, node: 0, total: 70_000 },
        { cpu: 1, node: 0, total: 57_777 },
      ],
    },
  };
}

function awkwardScenario(): ScenarioReport {
  return {
    name: AWKWARD,
    description: `Names with ${AWKWARD} and \`backticks\` must survive every format`,
    file: `/work/main/scenarios/${AWKWARD}.yaml`,
    status: 'pass',
    repetitions: 3,
    warmup: 1,
    isolation: { kind: 'pid', reason: 'cgroup2 not mounted' },
    collectors: [
      { name: 'proc', enabled: true, availability: { state: 'ready' }, notes: ['ready delay from schedstat'] },
      {
        name: 'ebpf',
        enabled: true,
        availability: {
          state: 'unavailable',
          reason: 'tracefs is not mounted',
          fix: 'mount -t tracefs tracefs /sys/kernel/tracing',
          disables: ['sched.ready_delay.*', 'syscall.*'],
        },
        notes: [],
      },
    ],
    lost: [{ repetition: 2, collector: 'proc', what: 'sampler missed 3 of 40 intervals' }],
    failure: null,
    baseline: { path: 'baselines/other/awkward.json', machine: 'other', recordedAt: '2026-10-01T10:00:00.000Z', mismatch: ['kernelRelease: 6.1 -> 6.18'], stale: true },
    metrics: [
      metric(`workload.${AWKWARD}`, [10, 12, 11], {
        unit: 'ms',
        better: 'higher',
        gated: true,
        tolerance: 0.03,
        baselineSamples: [11, 12, 10],
        verdict: {
          status: 'inconclusive',
          change: 0.0,
          ci: [-0.2, 0.2],
          pValue: 0.7,
          adjustedP: 1,
          mde: 0.31,
          neededRepetitions: 9,
          message: 'Mann-Whitney with 3 vs 3 cannot reach alpha 0.05',
        },
      }),
      metric('irq.node0.count', [1e6, 1.1e6, 1.05e6], { unit: '1', gated: true, verdict: { status: 'no-baseline', message: `no baseline for ${AWKWARD}` } }),
      // An empty series: its summary is NaN in memory and null in report.json.
      metric('sched.ready_delay.p50', [], { gated: true, verdict: { status: 'unavailable', message: 'tracefs is not mounted' } }),
    ],
    limits: [],
    irqTable: null,
  };
}

function failedScenario(): ScenarioReport {
  return {
    name: 'crashy',
    description: 'A command that fails on its third repetition',
    file: '/work/main/scenarios/crashy.yaml',
    status: 'error',
    repetitions: 5,
    warmup: 0,
    isolation: { kind: 'cgroup', path: '/sys/fs/cgroup/unified/kdelta-r1/crashy' },
    collectors: [{ name: 'proc', enabled: true, availability: { state: 'ready' }, notes: [] }],
    lost: [],
    failure: {
      repetition: 2,
      kind: 'exit',
      exitCode: 3,
      signal: null,
      message: 'command exited with code 3',
      stderrTail: 'panic: <boom> & "quotes"\n```\nend of ]]> cdata\n\u0007bell\n',
    },
    baseline: null,
    metrics: [metric('workload.wall_time', [1e9, 1.1e9], { gated: true, tolerance: 0.05 })],
    limits: [],
    irqTable: null,
  };
}

/** One of every verdict plus a failed workload. */
export function sampleReport(): Report {
  return {
    schemaVersion: 1,
    runId: '2026-11-21T22-00-00Z-abc123',
    startedAt: '2026-11-21T22:00:00.000Z',
    endedAt: '2026-11-21T22:05:00.000Z',
    kdeltaVersion: '0.1.0',
    environment,
    status: 'error',
    family: { size: 5, correction: 'holm' },
    scenarios: [syscallScenario(), awkwardScenario(), failedScenario()],
  };
}

/**
 * A nightly-sized run of `n` scenarios: the three sample ones, then copies of the syscall
 * scenario that gate only their ready-delay p99 (every 25th of them regressed), each with its
 * IRQ table and histograms, so the details are what fills the page.
 */
export function manyScenarioReport(n: number): Report {
  const report = sampleReport();
  const template = report.scenarios[0]!;
  const extra = Array.from({ length: Math.max(0, n - report.scenarios.length) }, (_, i) => {
    const s = structuredClone(template);
    s.name = `bench-${i}`;
    s.limits = [];
    s.status = i % 25 === 0 ? 'regression' : 'pass';
    s.metrics = s.metrics.map((m) => {
      if (m.name !== 'sched.ready_delay.p99') return { ...m, gated: false, verdict: null };
      const v = m.verdict;
      return i % 25 === 0 || v === null || v.status !== 'regression' ? m : { ...m, verdict: { ...v, status: 'pass' as const } };
    });
    return s;
  });
  report.scenarios = [...report.scenarios, ...extra].slice(0, n);
  return report;
}

/** `n` copies of the three sample scenarios (names made unique): about three gated rows per scenario. */
export function copiedScenarioReport(n: number): Report {
  const report = sampleReport();
  const templates = report.scenarios;
  report.scenarios = Array.from({ length: n }, (_, i) => {
    const s = structuredClone(templates[i % templates.length]!);
    s.name = `${s.name}-${i}`;
    return s;
  });
  return report;
}

/** A scenario that could not run because a collector it requires is unavailable here (exit 3). */
export function environmentErrorScenario(): ScenarioReport {
  return {
    name: 'needs-ebpf',
    description: '# not a heading\n- nor a list',
    file: '/work/main/scenarios/needs-ebpf.yaml',
    status: 'error',
    repetitions: 5,
    warmup: 1,
    isolation: { kind: 'none', reason: 'not started' },
    collectors: [
      {
        name: 'ebpf',
        enabled: true,
        availability: { state: 'unavailable', reason: 'bpftrace not found', fix: 'apt-get install bpftrace', disables: ['syscall.*'] },
        notes: [],
      },
    ],
    lost: [],
    failure: null,
    baseline: null,
    metrics: [],
    limits: [],
    irqTable: null,
  };
}

/** One slow system call of a syscall-events capture, for the report tests. */
export function slowCall(over: Partial<SlowCall> = {}): SlowCall {
  return {
    t: 1_500_000,
    pid: 10,
    tid: 11,
    comm: 'worker',
    syscall: 'nanosleep',
    nr: 35,
    durationNs: 5_100_000,
    ret: 0,
    user: ['syscall+0x19 (libc.so.6)', 'kdelta_slow_call+0x1c (prog)', 'main+0x52 (prog)'],
    kernel: ['syscall_exit_work+0xbc', 'do_syscall_64+0x22e'],
    ...over,
  };
}
