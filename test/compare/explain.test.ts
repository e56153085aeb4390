import { describe, expect, it } from 'vitest';
import { explainVerdicts, type ExplainMetric } from '../../src/compare/explain.js';
import { mulberry32, standardNormal } from '../../src/compare/stats/prng.js';
import { formatRatio, renderExplanation } from '../../src/report/explain.js';

function metric(name: string, level: number, factor: number, noise: number, seed: number, rounds = 12): ExplainMetric {
  const random = mulberry32(seed);
  const base = Array.from({ length: rounds }, () => level * Math.exp(noise * standardNormal(random)));
  const head = Array.from({ length: rounds }, () => level * factor * Math.exp(noise * standardNormal(random)));
  return { name, unit: 'ns', base, head };
}

const metrics = [
  metric('workload.wall_time', 1e9, 1.12, 0.01, 1),
  metric('sched.ready_delay.total', 4e8, 1.85, 0.05, 2),
  metric('sched.context_switches.involuntary', 300, 2.1, 0.05, 3),
  metric('syscall.read.p99', 5e3, 1.0, 0.3, 4),
  metric('system.interrupts', 1e4, 1.02, 0.3, 5),
];

describe('kernel explanation', () => {
  it('ranks the metric that moved furthest beyond its noise first and leaves out the gated one', () => {
    const [e] = explainVerdicts([{ metric: 'workload.wall_time', status: 'regression' }], metrics, { paired: true });
    expect(e?.related.map((r) => r.name)).toEqual(['sched.context_switches.involuntary', 'sched.ready_delay.total']);
  });

  it('leaves out metrics whose change is inside their own noise', () => {
    const [e] = explainVerdicts([{ metric: 'workload.wall_time', status: 'regression' }], metrics, { paired: false });
    expect(e?.related.some((r) => r.name === 'syscall.read.p99' || r.name === 'system.interrupts')).toBe(false);
  });

  it('explains nothing for a pass', () => {
    expect(explainVerdicts([{ metric: 'workload.wall_time', status: 'pass' }], metrics, { paired: true })).toEqual([]);
  });

  it('gives the absolute change per repetition as the median per-round difference', () => {
    const m: ExplainMetric = { name: 'sched.ready_delay.total', unit: 'ns', base: [10, 20, 30, 40, 50, 60], head: [14, 25, 33, 45, 56, 63] };
    const [e] = explainVerdicts([{ metric: 'workload.wall_time', status: 'regression' }], [m], { paired: true });
    // differences 4, 5, 3, 5, 6, 3: median 4.5
    expect(e?.related[0]?.absolute).toBe(4.5);
  });

  it('renders the verdict and its leads as one line', () => {
    const [e] = explainVerdicts([{ metric: 'workload.wall_time', status: 'regression' }], metrics, { paired: true });
    const line = renderExplanation(e!, 0.12);
    expect(line).toMatch(/^workload\.wall_time \+12%: sched\.context_switches\.involuntary x2(\.\d)? \(\+\d+(\.\d+)?ns a repetition\), sched\.ready_delay\.total \+\d+% \(\+\d+(\.\d+)?ms a repetition\)$/);
  });

  it('writes a doubling or more as a factor and less as a percentage', () => {
    expect(formatRatio(2.1)).toBe('x2.1');
    expect(formatRatio(1.85)).toBe('+85%');
    expect(formatRatio(0.97)).toBe('-3.0%');
  });
});

describe('kernel explanation cross-checks', () => {
  it('leaves out the schedstat run delay when the eBPF ready delay measured the same thing', () => {
    const both = [metric('sched.ready_delay.total', 4e8, 3, 0.05, 7), metric('sched.run_delay.total', 4e8, 3.2, 0.05, 8)];
    const [e] = explainVerdicts([{ metric: 'workload.wall_time', status: 'regression' }], both, { paired: true });
    expect(e?.related.map((r) => r.name)).toEqual(['sched.ready_delay.total']);
  });
});
