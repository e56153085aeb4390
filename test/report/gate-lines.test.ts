import { describe, expect, test } from 'vitest';
import { gateLinesOfText, gatingKey } from '../../src/report/gate-lines.js';

const YAML = [
  'name: s',
  'workload: { command: [true] }',
  'gate:',
  '  metrics:',
  '    sched.*: { tolerance: 20% }',
  '    sched.ready_delay.p9*: { tolerance: 10% }',
  '    workload.wall_time: { tolerance: 5% }',
  '  limits:',
  '    - "syscall.write.p99 < 2us"',
  '    - each: "workload.wall_time < 30s"',
  '',
].join('\n');

describe('gate lines', () => {
  test('an exact key wins, then the most specific pattern, as the engine gates', () => {
    const keys = ['sched.*', 'sched.ready_delay.p9*', 'workload.wall_time'];
    expect(gatingKey(keys, 'workload.wall_time')).toBe('workload.wall_time');
    expect(gatingKey(keys, 'sched.ready_delay.p99')).toBe('sched.ready_delay.p9*');
    expect(gatingKey(keys, 'sched.ready_delay.p50')).toBe('sched.*');
    expect(gatingKey(keys, 'syscall.all.count')).toBeUndefined();
  });

  test('each gated metric gets the line of its key and each limit the line of its entry, `each:` ones too', () => {
    const lines = gateLinesOfText(YAML, false, ['workload.wall_time', 'sched.ready_delay.p99', 'sched.ready_delay.p50'], ['syscall.write.p99 < 2us', 'workload.wall_time < 30s']);
    expect(Object.fromEntries(lines.metrics)).toEqual({ 'workload.wall_time': 7, 'sched.ready_delay.p99': 6, 'sched.ready_delay.p50': 5 });
    expect(Object.fromEntries(lines.limits)).toEqual({ 'syscall.write.p99 < 2us': 9, 'workload.wall_time < 30s': 10 });
  });

  test('a file that no longer parses gives no lines rather than wrong ones', () => {
    const lines = gateLinesOfText('gate: [unclosed', false, ['workload.wall_time'], []);
    expect(lines.metrics.size).toBe(0);
  });
});
