import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import type { Fingerprint } from '../../src/environment/types.js';
import { evaluateAbRuns } from '../../src/report/paired.js';
import type { MetricReport } from '../../src/report/types.js';
import { runAbScenario, type AbOptions } from '../../src/run/ab.js';
import type { CollectorKind, PreparedWorkload, RunnerDeps, WorkloadOutcome } from '../../src/run/types.js';
import type { Scenario } from '../../src/scenario/types.js';
import { machineFacts } from '../fixtures/machine-facts.js';
import { fakeCgroups, fakeProgress, type Log } from './fakes.js';

// kdelta ab's paired verdicts honour the doubts a stored run honours: a round whose base or
// head sample is in doubt (the workload left its cgroup, stdout was cut, a capture map was
// full) makes the verdicts on the metrics it touches inconclusive, with the side and the
// round named. The head side is twice as slow on every metric, so without doubts every gated
// metric is a regression; ten rounds let the signed-rank test reach p < 0.05 after holm.

const ROUNDS = { min: 10, max: 10 };

type Trouble = { side: 'base' | 'head'; round: number; outcome?: Partial<Extract<WorkloadOutcome, { state: 'ok' }>>; lost?: string };

function scenario(side: 'base' | 'head'): Scenario {
  return {
    name: 'pair',
    description: '',
    file: `/tmp/${side}/pair.yaml`,
    workload: { kind: 'command', argv: [side], env: {}, cwd: '/tmp', timeoutMs: 10_000, metrics: [] },
    repetitions: 2,
    warmup: 1,
    collect: { proc: false, ebpf: { readyDelay: true, syscalls: false, irq: false }, require: [] },
    gate: {
      alpha: 0.05,
      tolerance: 0.05,
      correction: 'holm',
      test: 'mann-whitney',
      metrics: { 'workload.wall_time': { tolerance: 0.05, alpha: 0.05 }, 'workload.ops': { tolerance: 0.05, alpha: 0.05 }, 'sched.ready_delay.total': { tolerance: 0.05, alpha: 0.05 }, 'sched.context_switches': { tolerance: 0.05, alpha: 0.05 } },
      limits: [],
      requireSameMachine: false,
    },
  };
}

/** Counted runs of a side, 1-based: the warm-up is run 0. */
function workload(side: 'base' | 'head', trouble: Trouble[]): PreparedWorkload {
  let run = 0;
  const scale = side === 'head' ? 2 : 1;
  return {
    inProcess: false,
    async run(): Promise<WorkloadOutcome> {
      const round = run++;
      const extra = trouble.find((t) => t.side === side && t.round === round && t.outcome)?.outcome ?? {};
      const metrics = [{ name: 'workload.ops', unit: 'ns', better: 'lower' as const, value: scale * (500 + round) }];
      return { state: 'ok', wallTimeNs: scale * (1000 + round), metrics, tasks: { pid: 4242, threads: [] }, ...extra };
    },
  };
}

/** The eBPF capture as a fake: head repetitions (indexes after the base side's) twice the base's, a loss where asked. */
function capture(trouble: Trouble[]): CollectorKind {
  const perSide = 1 + ROUNDS.max;
  return {
    name: 'ebpf',
    provides: ['sched.*'],
    availability: () => ({ state: 'ready' }),
    create: () => ({
      name: 'ebpf',
      async start() {},
      async beforeRepetition() {},
      async afterRepetition(rep) {
        const side = rep.index < perSide ? 'base' : 'head';
        const round = rep.index % perSide;
        const scale = side === 'head' ? 2 : 1;
        const lost = trouble.filter((t) => t.side === side && t.round === round && t.lost).map((t) => t.lost!);
        return {
          metrics: [
            { name: 'sched.ready_delay.total', unit: 'ns', better: 'lower', value: scale * (100 + round) },
            { name: 'sched.context_switches', unit: '1', better: 'lower', value: scale * (50 + round) },
          ],
          lost,
          notes: [],
        };
      },
      async stop() {},
    }),
  };
}

async function measured(trouble: Trouble[]) {
  const log: Log = [];
  const progress = fakeProgress();
  const deps: RunnerDeps = {
    collectors: [capture(trouble)],
    prepareWorkload: async (spec) => workload(spec.kind === 'command' && spec.argv[0] === 'head' ? 'head' : 'base', trouble),
    cgroups: fakeCgroups(log),
    pid: 1,
  };
  const o: AbOptions = { facts: machineFacts({ cgroup2: '/sys/fs/cgroup', isRoot: true }), runId: 'test', rounds: ROUNDS, warmup: 1, random: mulberry32(3), signal: new AbortController().signal, progress, decided: () => false };
  const run = await runAbScenario({ name: 'pair', base: scenario('base'), head: scenario('head') }, o, deps);
  const env = { arch: 'x64' } as unknown as Fingerprint;
  const s = evaluateAbRuns([run], { rounds: ROUNDS, test: 'signed-rank', seed: 1 }, env).scenarios[0]!;
  const verdict = (name: string): MetricReport['verdict'] => s.metrics.find((m) => m.name === name)!.verdict;
  return { run, s, verdict, warnings: progress.warnings };
}

describe('kdelta ab: paired verdicts honour either side’s doubts', () => {
  it('without doubts the twice-as-slow head is a regression on every gated metric', async () => {
    const { s, verdict } = await measured([]);
    for (const m of ['workload.wall_time', 'workload.ops', 'sched.ready_delay.total', 'sched.context_switches']) expect(verdict(m)?.status).toBe('regression');
    expect(s.status).toBe('regression');
  });

  it('a head-side workload that left its cgroup makes every paired verdict inconclusive, naming the side and the round, and warns', async () => {
    const { run, s, verdict, warnings } = await measured([{ side: 'head', round: 2, outcome: { leftCgroup: 1 } }]);
    expect(run.head.doubts).toEqual([{ doubt: { kind: 'left-cgroup', repetition: 2, processes: 1 }, metrics: ['*'] }]);
    expect(run.base.doubts).toBeUndefined();
    for (const m of ['workload.wall_time', 'workload.ops', 'sched.ready_delay.total', 'sched.context_switches']) {
      const v = verdict(m)!;
      expect(v.status).toBe('inconclusive');
      expect(v.message).toContain('inconclusive: head side: the workload left its cgroup (1 process outside it, killed; round 2)');
      expect(v.message).toContain('run it again');
      // The numbers stay: the change the paired test measured is still there.
      expect(v.status === 'inconclusive' && v.change).toBeGreaterThan(0.5);
    }
    expect(s.status).toBe('pass');
    expect(s.explanations).toBeUndefined();
    expect(warnings.some((w) => w.startsWith('pair (head): repetition 2: 1 workload process(es) left its cgroup'))).toBe(true);
  });

  it("a full map on the base side doubts only the metrics that map feeds; the others keep their regression", async () => {
    const { verdict } = await measured([{ side: 'base', round: 3, lost: 'ready-delay map full: 50 episodes dropped' }]);
    const doubted = verdict('sched.ready_delay.total')!;
    expect(doubted.status).toBe('inconclusive');
    expect(doubted.message).toContain('inconclusive: base side: capture lost 50 entries (round 3)');
    expect(verdict('sched.context_switches')?.status).toBe('regression');
    expect(verdict('workload.wall_time')?.status).toBe('regression');
  });

  it('cut stdout on both sides doubts the stdout figures only, each side named', async () => {
    const { verdict } = await measured([
      { side: 'base', round: 1, outcome: { cut: { bytes: 4096, lines: 12 } } },
      { side: 'head', round: 4, outcome: { cut: { bytes: 100, lines: 1 } } },
      { side: 'head', round: 5, outcome: { cut: { bytes: 100, lines: 1 } } },
    ]);
    const ops = verdict('workload.ops')!;
    expect(ops.status).toBe('inconclusive');
    expect(ops.message).toContain('base side: stdout was cut: 4096 bytes (12 lines) between the kept head and tail were not read (round 1); head side: stdout was cut: 200 bytes (2 lines) between the kept head and tail were not read (rounds 4, 5)');
    expect(verdict('workload.wall_time')?.status).toBe('regression');
    expect(verdict('sched.ready_delay.total')?.status).toBe('regression');
  });
});
