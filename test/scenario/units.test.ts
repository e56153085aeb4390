import { describe, expect, test } from 'vitest';
import { baseUnitOfMetric, COMPARE, parseDurationMs, parseDurationNs, parseLimit, parsePercentFraction } from '../../src/scenario/units.js';

describe('durations', () => {
  test.each([
    ['250ms', 250],
    ['2s', 2000],
    ['1m', 60_000],
    ['1.5s', 1500],
    ['500us', 0.5],
    ['500µs', 0.5],
    ['100ns', 0.0001],
    ['0s', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toEqual({ ok: true, value: ms });
  });

  test('nanoseconds come out exact for whole units', () => {
    expect(parseDurationNs('2ms')).toEqual({ ok: true, value: 2_000_000 });
  });

  test.each(['2 secs', '2 s', ' 2s', '2', 'ms', '-1s', '1h', '1.s', ''])('%j is not a duration', (text) => {
    expect(parseDurationMs(text)).toEqual({ ok: false, error: `bad duration "${text}": use a number with ns, us, ms, s or m, e.g. 250ms` });
  });
});

describe('percentages', () => {
  test.each([
    ['5%', 0.05],
    ['0.5%', 0.005],
    ['100%', 1],
  ])('%s is %d', (text, fraction) => {
    expect(parsePercentFraction(text)).toEqual({ ok: true, value: fraction });
  });

  test.each(['5', '0.05', '%', 'five%'])('%j is not a percentage', (text) => {
    expect(parsePercentFraction(text).ok).toBe(false);
  });
});

describe('limits', () => {
  test.each([
    ['sched.ready_delay.p99 < 2ms', 'sched.ready_delay.p99', '<', 2_000_000],
    ['sched.ready_delay.p99<=500us', 'sched.ready_delay.p99', '<=', 500_000],
    ['syscall.read.max > 1µs', 'syscall.read.max', '>', 1000],
    ['workload.wall_time >= 1.5s', 'workload.wall_time', '>=', 1_500_000_000],
    ['irq.node0.share >= 50%', 'irq.node0.share', '>=', 0.5],
    ['irq.imbalance < 0.3', 'irq.imbalance', '<', 0.3],
    ['sched.context_switches < 1000', 'sched.context_switches', '<', 1000],
    ['workload.ops_per_sec > 1000', 'workload.ops_per_sec', '>', 1000],
    ['syscall.*.p99 < 100ns', 'syscall.*.p99', '<', 100],
    // PSI is kept in the kernel's microseconds, so a time limit on it is scaled to us, not ns.
    ['system.psi.cpu_some < 5ms', 'system.psi.cpu_some', '<', 5000],
  ])('%s', (text, metric, op, value) => {
    expect(parseLimit(text, false)).toEqual({ ok: true, value: { text, metric, op, value, each: false } });
  });

  test('a time limit on a metric of unknown unit is taken in ns', () => {
    expect(parseLimit('workload.latency < 2ms', true)).toEqual({
      ok: true,
      value: { text: 'workload.latency < 2ms', metric: 'workload.latency', op: '<', value: 2e6, each: true },
    });
  });

  test('the caller can say a metric is measured in ms', () => {
    const parsed = parseLimit('workload.latency < 250us', false, () => 'ms');
    expect(parsed.ok && parsed.value.value).toBe(0.25);
  });

  test.each([
    ['sched.ready_delay.p99 2ms', 'write <metric> <op>'],
    ['sched.ready_delay.p99 == 2ms', 'write <metric> <op>'],
    ['sched.ready_delay.p99 < 2', 'needs a time unit'],
    ['sched.ready_delay.p99 < 2%', 'a percentage cannot be compared with a metric measured in ns'],
    ['sched.context_switches < 2ms', 'a time cannot be compared with a metric measured in 1'],
    ['sched.ready_delay.p99 < 2hours', 'unknown unit "hours"'],
  ])('%s is rejected', (text, why) => {
    const parsed = parseLimit(text, false);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(why);
  });

  test('the comparison table applies each operator', () => {
    expect([COMPARE['<'](1, 2), COMPARE['<='](2, 2), COMPARE['>'](2, 2), COMPARE['>='](2, 2)]).toEqual([true, true, false, true]);
  });
});

describe('metric base units', () => {
  test.each([
    ['workload.wall_time', 'ns'],
    ['sched.ready_delay.p99', 'ns'],
    ['sched.ready_delay.count', '1'],
    ['sched.ready_delay.thread.worker*.max', 'ns'],
    ['syscall.read.count', '1'],
    ['syscall.read.p50', 'ns'],
    ['irq.hard.virtio0-input.0.time', 'ns'],
    ['softirq.net_rx.count', '1'],
    ['irq.node1.share', 'ratio'],
    ['irq.imbalance', 'ratio'],
    ['system.context_switches', '1'],
    ['system.psi.cpu_some', 'us'],
    ['sched.cgroup_pressure.some', 'us'],
    ['sched.run_delay.total', 'ns'],
    ['softirq.net_rx.time_in_workload', 'ns'],
    ['workload.ops_per_sec', null],
  ])('%s is in %s', (metric, unit) => {
    expect(baseUnitOfMetric(metric)).toBe(unit);
  });
});
