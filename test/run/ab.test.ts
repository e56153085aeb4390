import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/compare/stats/prng.js';
import { runAbScenario, type AbOptions, type AbPair } from '../../src/run/ab.js';
import { kernelCgroups } from '../../src/run/cgroups.js';
import { createProgress } from '../../src/run/progress.js';
import type { RunnerDeps } from '../../src/run/types.js';
import { machineFacts } from '../fixtures/machine-facts.js';
import type { Scenario } from '../../src/scenario/types.js';
import { prepareWorkload } from '../../src/workload/prepare.js';

// The rounds loop with real (tiny) workloads, no cgroups and no collectors: what is tested
// is the loop itself: interleaving, stopping, the recorded order, a failing side.

function scenario(argv: [string, ...string[]]): Scenario {
  return {
    name: 'tiny',
    description: '',
    file: '/tmp/tiny.yaml',
    workload: { kind: 'command', argv, env: {}, cwd: '/tmp', timeoutMs: 10_000, metrics: [] },
    repetitions: 2,
    warmup: 1,
    collect: { proc: false, ebpf: false, require: [] },
    gate: { alpha: 0.05, tolerance: 0.05, correction: 'holm', test: 'mann-whitney', metrics: {}, limits: [], requireSameMachine: false },
  };
}

const pair = (base: Scenario, head: Scenario): AbPair => ({ name: 'tiny', base, head });

function options(decided: AbOptions['decided'], seed = 1, rounds = { min: 5, max: 8 }): AbOptions {
  return {
    facts: machineFacts({ isRoot: false }),
    runId: 'test',
    rounds,
    random: mulberry32(seed),
    signal: new AbortController().signal,
    progress: createProgress({ write: () => undefined, isTTY: false, color: false, githubActions: false }),
    decided,
  };
}

// Not root: no cgroups are created; no collectors: only the loop runs.
const deps: RunnerDeps = { collectors: [], prepareWorkload, cgroups: kernelCgroups, pid: process.pid };

describe('ab rounds loop', () => {
  it('stops at rounds.min when the first look is decided', async () => {
    const r = await runAbScenario(pair(scenario(['true']), scenario(['true'])), options(() => true), deps);
    expect(r.rounds).toBe(5);
    expect(r.base.metrics.find((m) => m.name === 'workload.wall_time')?.samples).toHaveLength(5);
    expect(r.head.metrics.find((m) => m.name === 'workload.wall_time')?.samples).toHaveLength(5);
  });

  it('runs to rounds.max when no look is decided, looking after every round from min on', async () => {
    const looks: number[] = [];
    const r = await runAbScenario(pair(scenario(['true']), scenario(['true'])), options((b) => (looks.push(b[0]!.samples.length), false)), deps);
    expect(r.rounds).toBe(8);
    expect(looks).toEqual([5, 6, 7, 8]);
  });

  it('records one order per round plus the warm-up, each with both sides once, the same for the same seed', async () => {
    const a = await runAbScenario(pair(scenario(['true']), scenario(['true'])), options(() => false, 42), deps);
    const b = await runAbScenario(pair(scenario(['true']), scenario(['true'])), options(() => false, 42), deps);
    expect(a.order).toHaveLength(9);
    expect(a.order.every((o) => [...o].sort().join() === 'base,head')).toBe(true);
    expect(a.order).toEqual(b.order);
  });

  it('stops and reports the failure when one side\'s workload fails', async () => {
    const r = await runAbScenario(pair(scenario(['true']), scenario(['false'])), options(() => false), deps);
    expect(r.head.failure?.message).toMatch(/^head: /);
    expect(r.rounds).toBe(0);
  });
});
