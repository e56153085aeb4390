import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import type { Fingerprint } from '../../src/environment/types.js';
import { evaluateAbRuns } from '../../src/report/paired.js';
import { runAbScenario, type AbOptions } from '../../src/run/ab.js';
import { createProgress } from '../../src/run/progress.js';
import type { CollectorKind, RunnerDeps } from '../../src/run/types.js';
import type { Scenario } from '../../src/scenario/types.js';
import { machineFacts } from '../fixtures/machine-facts.js';
import { fakeCgroups, fakeWorkload, type Log } from './fakes.js';

// Each side of `kdelta ab` keeps the per-CPU series and the timeline of its own repetitions,
// so report.html can draw base and head apart. The fake capture stamps the repetition's
// index into every table; the head side's repetitions are numbered after the base side's.

const scenario: Scenario = {
  name: 'tiny',
  description: '',
  file: '/tmp/tiny.yaml',
  workload: { kind: 'command', argv: ['true'], env: {}, cwd: '/tmp', timeoutMs: 10_000, metrics: [] },
  repetitions: 2,
  warmup: 1,
  collect: { proc: { intervalMs: 100 }, ebpf: false, require: [] },
  gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics: {}, limits: [], requireSameMachine: false },
};

/** A /proc-like collector whose tables carry the repetition's index (as irq[0][0] and onCpuNs[0][0]). */
const stamping: CollectorKind = {
  name: 'proc',
  provides: ['stamp.*'],
  availability: () => ({ state: 'ready' }),
  create: () => ({
    name: 'proc',
    async start() {},
    async beforeRepetition() {},
    async afterRepetition(rep) {
      return {
        metrics: [{ name: 'stamp.value', unit: '1', better: 'lower', value: rep.index }],
        lost: [],
        notes: [],
        tables: {
          cpuSeries: { t: [0, 0.1], cpus: [0], nodes: [0], irq: [[rep.index]], arch: [[0]], softirq: {} },
          timeline: { slotNs: 1e7, slots: 1, cpus: [0], groups: [{ name: 'w*', onCpuNs: [[rep.index]], switches: [[1]] }], readyDelayNs: [0], lost: 0 },
        },
      };
    },
    async stop() {},
  }),
};

function options(): AbOptions {
  return {
    facts: machineFacts({ cgroup2: '/sys/fs/cgroup', isRoot: true }),
    runId: 'test',
    rounds: { min: 3, max: 3 },
    warmup: 1,
    random: mulberry32(7),
    signal: new AbortController().signal,
    progress: createProgress({ write: () => undefined, isTTY: false, color: false, githubActions: false }),
    decided: () => false,
  };
}

describe('kdelta ab: per-CPU series and timeline per side', () => {
  it("keeps each side's counted repetitions apart, numbered 1..rounds, warm-ups left out", async () => {
    const log: Log = [];
    const deps: RunnerDeps = { collectors: [stamping], prepareWorkload: async () => fakeWorkload(log), cgroups: fakeCgroups(log), pid: 1 };
    const r = await runAbScenario({ name: 'tiny', base: scenario, head: scenario }, options(), deps);
    // 1 warm-up + 3 rounds per side: base indexes 0..3, head 4..7; index 0 and 4 are the warm-ups.
    expect(r.base.cpuSeries?.map((s) => [s.repetition, s.irq[0]![0]])).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect(r.head.cpuSeries?.map((s) => [s.repetition, s.irq[0]![0]])).toEqual([[1, 5], [2, 6], [3, 7]]);
    expect(r.base.timeline?.map((t) => t.groups[0]!.onCpuNs[0]![0])).toEqual([1, 2, 3]);
    expect(r.head.timeline?.map((t) => t.groups[0]!.onCpuNs[0]![0])).toEqual([5, 6, 7]);

    // The report: the head side's series are the scenario's own, the base side's under baseSide.
    const env = { arch: 'x64' } as unknown as Fingerprint;
    const { scenarios } = evaluateAbRuns([r], { rounds: { min: 3, max: 3 }, test: 'signed-rank', seed: 1 }, env);
    const s = scenarios[0]!;
    expect(s.cpuSeries?.map((x) => x.irq[0]![0])).toEqual([5, 6, 7]);
    expect(s.baseSide?.cpuSeries?.map((x) => x.irq[0]![0])).toEqual([1, 2, 3]);
    expect(s.baseSide?.timeline?.map((t) => t.groups[0]!.onCpuNs[0]![0])).toEqual([1, 2, 3]);
  });

  it("keeps each side's slow-call events, with its dropped counter, under the head side's spec; the report puts the base side's under baseSide", async () => {
    const events: CollectorKind = {
      name: 'events',
      provides: ['syscall.slow.count'],
      availability: () => ({ state: 'ready' }),
      create: () => ({
        name: 'events',
        async start() {},
        async beforeRepetition() {},
        async afterRepetition(rep) {
          const e = { t: 1, pid: 1, tid: 1, comm: `rep${rep.index}`, syscall: 'nanosleep', nr: 35, durationNs: 5e6, ret: 0, user: ['kdelta_slow_call+0x1c (p)'], kernel: [] };
          return { metrics: [], lost: [], notes: [], tables: { syscallEvents: { seen: 2, dropped: 1, lost: 0, events: [e] } } };
        },
        async stop() {},
      }),
    };
    const spec = { overNs: 1e6, max: 1, stacks: true };
    const head: Scenario = { ...scenario, collect: { ...scenario.collect, events: spec } };
    const log: Log = [];
    const deps: RunnerDeps = { collectors: [events], prepareWorkload: async () => fakeWorkload(log), cgroups: fakeCgroups(log), pid: 1 };
    const r = await runAbScenario({ name: 'tiny', base: scenario, head }, options(), deps);
    const comms = (x: typeof r.base) => x.syscallEvents?.repetitions.map((rep) => [rep.repetition, rep.dropped, rep.events[0]!.comm]);
    expect(r.base.syscallEvents).toMatchObject(spec);
    expect(comms(r.base)).toEqual([[1, 1, 'rep1'], [2, 1, 'rep2'], [3, 1, 'rep3']]);
    expect(comms(r.head)).toEqual([[1, 1, 'rep5'], [2, 1, 'rep6'], [3, 1, 'rep7']]);
    const env = { arch: 'x64' } as unknown as Fingerprint;
    const s = evaluateAbRuns([r], { rounds: { min: 3, max: 3 }, test: 'signed-rank', seed: 1 }, env).scenarios[0]!;
    expect(s.syscallEvents?.repetitions.map((x) => x.events[0]!.comm)).toEqual(['rep5', 'rep6', 'rep7']);
    expect(s.baseSide?.syscallEvents?.repetitions.map((x) => x.events[0]!.comm)).toEqual(['rep1', 'rep2', 'rep3']);
  });
});
