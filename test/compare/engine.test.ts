import { describe, expect, test } from 'vitest';
import { checkLimit, compareRun, gatedMetrics } from '../../src/compare/engine.js';
import type { Comparand, CompareOptions, Decision } from '../../src/compare/types.js';
import type { Verdict } from '../../src/report/types.js';
import { limitVerdictOf, verdictOf as worded } from '../../src/report/verdicts.js';
import type { GateSpec } from '../../src/scenario/types.js';

const options: CompareOptions = { test: 'mann-whitney', correction: 'holm', seed: 1, machineMismatch: [] };

// Ten repetitions with ~1.3% spread; `shifted` scales them and reverses the order so no test
// sees a pairing.
const BASE = [100, 101, 99, 102, 98, 100.5, 99.5, 101.5, 98.5, 100.2];
const shifted = (factor: number, values = BASE): number[] => values.map((v) => v * factor).reverse();
// The same shape with ~10% spread, for a noisy metric.
const NOISY = BASE.map((v) => 100 + (v - 100) * 8);

function comparand(over: Partial<Comparand> & { current: number[] }): Comparand {
  return { name: 'workload.wall_time', unit: 'ns', better: 'lower', baseline: BASE, tolerance: 0.05, alpha: 0.05, ...over };
}

// The engine decides; report/ words the decision. Messages are read from the worded verdict.
function verdictOf(c: Comparand, opts: CompareOptions = options): Verdict {
  return worded(compareRun([c], opts).verdicts.get(c.name)!);
}

function verdictIn(run: { verdicts: Map<string, Decision> }, name: string): Verdict {
  return worded(run.verdicts.get(name)!);
}

describe('verdict rules (one comparand, family of 1)', () => {
  const rows: Array<{ rule: string; c: Comparand; status: Verdict['status'] }> = [
    { rule: 'same distribution -> pass', c: comparand({ current: shifted(1.001) }), status: 'pass' },
    { rule: '+10% on lower-is-better, tolerance 5% -> regression', c: comparand({ current: shifted(1.1) }), status: 'regression' },
    { rule: '+10% on higher-is-better -> improvement', c: comparand({ better: 'higher', current: shifted(1.1) }), status: 'improvement' },
    { rule: '-10% on higher-is-better -> regression', c: comparand({ better: 'higher', current: shifted(0.9) }), status: 'regression' },
    { rule: '-10% on lower-is-better -> improvement', c: comparand({ current: shifted(0.9) }), status: 'improvement' },
    { rule: 'significant +3% within a 5% tolerance -> pass', c: comparand({ current: shifted(1.03) }), status: 'pass' },
    { rule: 'significant +10% within a 20% tolerance -> pass', c: comparand({ tolerance: 0.2, current: shifted(1.1) }), status: 'pass' },
    { rule: '+3% on 10% noise: CI spans 0 and the tolerance -> inconclusive', c: comparand({ baseline: NOISY, current: shifted(1.03, NOISY) }), status: 'inconclusive' },
    { rule: '+50% with 3 vs 3 -> inconclusive (p cannot go below 0.1)', c: comparand({ baseline: [100, 101, 99], current: [150, 151, 149] }), status: 'inconclusive' },
    { rule: 'no baseline -> no-baseline', c: comparand({ baseline: null, current: BASE }), status: 'no-baseline' },
    { rule: 'empty baseline -> no-baseline', c: comparand({ baseline: [], current: BASE }), status: 'no-baseline' },
    { rule: 'no current samples -> unavailable', c: comparand({ current: [] }), status: 'unavailable' },
    { rule: 'welch: +10% -> regression', c: comparand({ current: shifted(1.1) }), status: 'regression' },
  ];
  test.each(rows)('$rule', ({ c, status }) => {
    expect(verdictOf(c).status).toBe(status);
  });

  test.each(['welch', 'bootstrap'] as const)('%s detects +10% as a regression and passes an unchanged run', (test) => {
    expect(verdictOf(comparand({ current: shifted(1.1) }), { ...options, test }).status).toBe('regression');
    expect(verdictOf(comparand({ current: shifted(1.001) }), { ...options, test }).status).toBe('pass');
  });
});

describe('too little data is inconclusive, never pass or regression', () => {
  test.each([
    ['a huge regression', [200, 201, 199]],
    ['no change at all', [100, 101, 99]],
    ['a huge improvement', [50, 51, 49]],
  ])('3 vs 3 with %s is inconclusive and asks for more repetitions', (_what, current) => {
    for (const test of ['mann-whitney', 'welch', 'bootstrap'] as const) {
      const v = verdictOf(comparand({ baseline: [100, 101, 99], current }), { ...options, test });
      expect(v.status).toBe('inconclusive');
      if (v.status !== 'inconclusive') return;
      expect(v.neededRepetitions).toBeGreaterThanOrEqual(4);
      expect(v.mde).toBe(Infinity);
      expect(v.message).toMatch(/3 vs 3 repetitions cannot reach p < 0.05 \(smallest possible p 0.1\)/);
    }
  });

  test('5 vs 5 gates alone but not in a Holm family of 10 (10 x 0.0079 > 0.05)', () => {
    const base5 = BASE.slice(0, 5);
    const alone = verdictOf(comparand({ baseline: base5, current: shifted(1.2, base5) }));
    expect(alone.status).toBe('regression');
    const family = Array.from({ length: 10 }, (_, i) => comparand({ name: `m${i}`, baseline: base5, current: shifted(i === 0 ? 1.2 : 1, base5) }));
    const run = compareRun(family, options);
    expect(run.family).toEqual({ size: 10, correction: 'holm' });
    const v = verdictIn(run, 'm0');
    expect(v.status).toBe('inconclusive');
    if (v.status === 'inconclusive') expect(v.neededRepetitions).toBe(6);
  });
});

describe('the family', () => {
  test('one borderline change significant alone is not significant in a Holm family of 50', () => {
    // 100..109 vs 105.5..114.5: exact p = 0.0015 (scipy), median change +5.3%.
    const ramp = Array.from({ length: 10 }, (_, i) => 100 + i);
    const c = comparand({ name: 'sched.ready_delay.p99', baseline: ramp, current: ramp.map((v) => v + 5.5).reverse() });
    const alone = verdictIn(compareRun([c], options), c.name);
    expect(alone.status).toBe('regression');
    const others = Array.from({ length: 49 }, (_, i) => comparand({ name: `syscall.s${i}.p99`, current: shifted(1.0) }));
    const run = compareRun([c, ...others], options);
    expect(run.family.size).toBe(50);
    const inFamily = verdictIn(run, c.name);
    expect(inFamily.status).toBe('inconclusive');
    expect(inFamily.message).toContain('beyond the tolerance but not significant');
    if (alone.status === 'regression' && inFamily.status === 'inconclusive') {
      expect(inFamily.pValue).toBe(alone.pValue);
      expect(inFamily.adjustedP).toBeCloseTo(Math.min(1, alone.pValue * 50), 12);
    }
  });

  test('comparands without a baseline are not part of the family', () => {
    const run = compareRun([comparand({ current: BASE }), comparand({ name: 'x', baseline: null, current: BASE })], options);
    expect(run.family.size).toBe(1);
  });

  test('the message states change, CI, tolerance, adjusted p and the family', () => {
    const run = compareRun(
      [comparand({ name: 'sched.ready_delay.p99', current: shifted(1.1) }), ...Array.from({ length: 3 }, (_, i) => comparand({ name: `m${i}`, current: BASE }))],
      options,
    );
    const v = verdictIn(run, 'sched.ready_delay.p99');
    expect(v.message).toMatch(/^sched\.ready_delay\.p99 \+10\.0% \[\+\d+\.\d%, \+\d+\.\d%\] vs baseline, tolerance \+5%, p=[0-9.e-]+ \(holm, family of 4\): regression$/);
    const higher = verdictOf(comparand({ better: 'higher', current: shifted(0.9) }));
    expect(higher.message).toContain('tolerance -5%');
  });
});

describe('machine mismatch', () => {
  const mismatch = { ...options, machineMismatch: ['kernelRelease: 6.1 -> 6.18'] };

  test('by default a regression becomes a pass with a warning', () => {
    const v = verdictOf(comparand({ current: shifted(1.1) }), mismatch);
    expect(v.status).toBe('pass');
    if (v.status === 'pass') {
      expect(v.warning).toContain('kernelRelease: 6.1 -> 6.18');
      expect(v.message).toMatch(/^warning: /);
    }
    expect(verdictOf(comparand({ current: shifted(0.9) }), mismatch).status).toBe('improvement');
  });

});

describe('gatedMetrics', () => {
  const gate: GateSpec = {
    alpha: 0.05,
    tolerance: 0.05,
    correction: 'holm',
    test: 'mann-whitney',
    limits: [],
    requireSameMachine: false,
    metrics: {
      'sched.*': { tolerance: 0.1, alpha: 0.05 },
      'sched.ready_delay.p9*': { tolerance: 0.03, alpha: 0.05 },
      'sched.ready_delay.p99': { tolerance: 0.01, alpha: 0.01 },
      'syscall.*.p99': { tolerance: 0.2, alpha: 0.05 },
    },
  };

  test('exact names win, then the most specific pattern; unmatched names are not gated', () => {
    const m = gatedMetrics(gate, ['sched.ready_delay.p99', 'sched.ready_delay.p90', 'sched.context_switches', 'syscall.read.p99', 'syscall.read.count', 'irq.imbalance']);
    expect([...m.keys()]).toEqual(['sched.ready_delay.p99', 'sched.ready_delay.p90', 'sched.context_switches', 'syscall.read.p99']);
    expect(m.get('sched.ready_delay.p99')?.tolerance).toBe(0.01);
    expect(m.get('sched.ready_delay.p90')?.tolerance).toBe(0.03);
    expect(m.get('sched.context_switches')?.tolerance).toBe(0.1);
  });

  test('regex characters in names are literal', () => {
    const m = gatedMetrics({ ...gate, metrics: { 'irq.hard.eth0-tx+rx.count': { tolerance: 0, alpha: 0.05 } } }, ['irq.hard.eth0-tx+rx.count', 'irq.hard.eth0-txxrx.count']);
    expect([...m.keys()]).toEqual(['irq.hard.eth0-tx+rx.count']);
  });
});

describe('checkLimit', () => {
  const limit = { text: 'sched.ready_delay.p99 < 2ms', metric: 'sched.ready_delay.p99', op: '<' as const, value: 2e6, each: false };

  test('on the median: passes when the median holds even if one repetition breaks it', () => {
    const v = limitVerdictOf(checkLimit(limit, [1e6, 1.5e6, 3e6], 'ns'));
    expect(v.status).toBe('pass');
    expect(v.message).toBe('sched.ready_delay.p99 < 2ms holds: sched.ready_delay.p99 1.5ms (median of 3)');
  });

  test('with each: the worst repetition breaks it and is reported', () => {
    const v = limitVerdictOf(checkLimit({ ...limit, each: true, text: 'sched.ready_delay.p99 < 2ms each' }, [1e6, 1.5e6, 3e6], 'ns'));
    expect(v).toEqual({
      status: 'limit-exceeded',
      value: 3e6,
      limit: 'sched.ready_delay.p99 < 2ms each',
      message: 'sched.ready_delay.p99 < 2ms each broken: sched.ready_delay.p99 3ms (worst repetition of 3)',
    });
  });

  test('>= limits look at the smallest repetition; no samples is unavailable', () => {
    const v = limitVerdictOf(checkLimit({ text: 'workload.ops >= 1000 each', metric: 'workload.ops', op: '>=', value: 1000, each: true }, [1200, 999, 1500]));
    expect(v.status === 'limit-exceeded' && v.value).toBe(999);
    expect(checkLimit(limit, []).status).toBe('unavailable');
  });
});

describe('per-comparand overrides', () => {
  test('test, machineMismatch and label override the options for one comparand', () => {
    const run = compareRun(
      [
        comparand({ name: 's1\u0000workload.wall_time', label: 's1: workload.wall_time', current: shifted(1.1), test: 'welch', machineMismatch: ['cpuCount: 4 -> 2'] }),
        comparand({ name: 's2\u0000workload.wall_time', current: shifted(1.1) }),
      ],
      options,
    );
    const a = verdictIn(run, 's1\u0000workload.wall_time');
    expect(a.status).toBe('pass');
    expect(a.message).toMatch(/^warning: s1: workload\.wall_time \+10\.0%/);
    expect(run.verdicts.get('s2\u0000workload.wall_time')!.status).toBe('regression');
  });

  test('a counter that was zero and now fires shows both medians and regresses', () => {
    const v = verdictOf(comparand({ name: 'irq.cpu1.count', unit: '1', baseline: Array(10).fill(0), current: [0, 1, 2, 3, 1, 2, 3, 4, 2, 1] }));
    expect(v.status).toBe('regression');
    expect(v.message).toMatch(/^irq\.cpu1\.count 0 -> 2 vs baseline/);
  });
});
