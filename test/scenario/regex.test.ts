import { describe, expect, test } from 'vitest';
import { metricPatternRegExp } from '../../src/scenario/metric-names.js';
import { compileMetricRegex, type MetricMatcher } from '../../src/scenario/regex.js';
import { gatedMetrics } from '../../src/compare/gate.js';
import { workloadFiguresFromStdout } from '../../src/workload/figures.js';

function matcher(source: string): MetricMatcher {
  const r = compileMetricRegex(source);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

// These inputs take the JS engine 15 s (quadratic) and forever (exponential): each test's own
// timeout bounds the linear-time engine, and the result is what a correct engine returns.
describe('workload metric regexes run in linear time', () => {
  test('the README pattern over 4 MiB of dots finds nothing, promptly', () => {
    expect(matcher('([0-9.]+) ops/s').firstCapture('.'.repeat(4 * 1024 * 1024))).toEqual({ found: false });
  });

  test('nested quantifiers over a near miss find nothing, promptly', () => {
    expect(matcher('^(a+)+([0-9])$').firstCapture(`${'a'.repeat(41)}!`)).toEqual({ found: false });
    expect(matcher('^(a+)+([0-9])$').firstCapture(`${'a'.repeat(100_000)}!`)).toEqual({ found: false });
  });

  test('the workload figures use the same engine: the pathological case is a clean "matched nothing"', () => {
    const spec = { name: 'n', regex: '^(a+)+([0-9])$', unit: '1', better: 'lower' as const };
    const r = workloadFiguresFromStdout(`${'a'.repeat(50_000)}!\n`, [spec]);
    expect(r).toEqual({ state: 'invalid', message: "metric n: /^(a+)+([0-9])$/ matched nothing in the workload's stdout" });
  });
});

describe('gate patterns match in linear time', () => {
  // Ten stars between literals backtrack for hours in the JS engine against this name.
  const pattern = `sched.${'*a'.repeat(10)}*b`;
  const name = `sched.ready_delay.thread.${'a'.repeat(60)}.max`;

  test('a pattern of many stars against a near miss finds no match, promptly', () => {
    expect(metricPatternRegExp(pattern).test(name)).toBe(false);
    expect(metricPatternRegExp(pattern).test(`${name}b`)).toBe(true);
  });

  test('the gate uses the same matcher', () => {
    const gate = { alpha: 0.05, tolerance: 0.05, correction: 'holm' as const, test: 'mann-whitney' as const, limits: [], requireSameMachine: false };
    expect([...gatedMetrics({ ...gate, metrics: { [pattern]: { tolerance: 0.05, alpha: 0.05 } } }, [name]).keys()]).toEqual([]);
  });
});

describe('workload metric regexes match as documented', () => {
  test('the first match and its first group', () => {
    expect(matcher('([0-9.]+) ops/s').firstCapture('warm 1 ops/s\nrun 12.5 ops/s\n')).toEqual({ found: true, capture: '1' });
  });

  test('^ and $ match at line ends', () => {
    expect(matcher('^total: ([0-9]+)$').firstCapture('x\ntotal: 42\ny\n')).toEqual({ found: true, capture: '42' });
  });

  test('a group that takes no part in the match captures nothing', () => {
    expect(matcher('(a)|b').firstCapture('b')).toEqual({ found: true, capture: undefined });
  });

  test('non-ASCII output is matched as text', () => {
    expect(matcher('latence ([0-9]+) µs').firstCapture('é latence 7 µs')).toEqual({ found: true, capture: '7' });
  });

  test.each([
    ['(a)\\1', /is not RE2 syntax \(invalid escape sequence: `\\1`\)/u],
    ['(?<=x)(a)', /is not RE2 syntax/u],
    ['[0-9]+', /needs a capture group/u],
  ])('%s is refused', (source, why) => {
    const r = compileMetricRegex(source);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(why);
  });
});
