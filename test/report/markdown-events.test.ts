import { describe, expect, test } from 'vitest';
import { syscallEventsMarkdown } from '../../src/report/markdown-events.js';
import type { SlowCall } from '../../src/run/syscall-events.js';
import type { ScenarioReport } from '../../src/report/types.js';
import { slowCall } from './sample.js';

const call = (over: Partial<SlowCall>): SlowCall => slowCall({ user: ['kdelta_slow_call+0x1c (prog)'], kernel: ['syscall_exit_work+0xbc'], ...over });

const scenario = (events: SlowCall[][], dropped = 0): ScenarioReport =>
  ({
    syscallEvents: { overNs: 1_000_000, max: 50, stacks: true, repetitions: events.map((e, i) => ({ repetition: i + 1, seen: e.length + dropped, dropped, lost: 0, events: e })) },
  }) as unknown as ScenarioReport;

describe('slowest system calls in summary.md', () => {
  test('nothing for a scenario that did not ask for events', () => {
    expect(syscallEventsMarkdown({} as ScenarioReport)).toEqual([]);
  });

  test('the threshold, the counts with the dropped ones, and the slowest call first', () => {
    const md = syscallEventsMarkdown(scenario([[call({ durationNs: 2_000_000, syscall: 'read' }), call({})]], 3)).join('\n');
    expect(md).toContain('**Slowest system calls** (over 1.00 ms; 5 seen in 1 repetition, 3 dropped past max 50 per repetition)');
    const rows = md.split('\n').filter((l) => l.startsWith('| 1 '));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toBe('| 1 | 1.50 ms | worker (10/11) | nanosleep | 5.10 ms | kdelta\\_slow\\_call+0x1c (prog) | syscall\\_exit\\_work+0xbc |');
  });

  test('escapes thread names and symbols, which are anyone\'s bytes', () => {
    const md = syscallEventsMarkdown(scenario([[call({ comm: 'a|b<script>@team', user: ['evil|name]( [x](http://e)', '`tick`'] })]])).join('\n');
    const row = md.split('\n').find((l) => l.startsWith('| 1 '))!;
    expect(row).toContain('a\\|b&lt;script&gt;@\u2060team');
    expect(row).toContain('evil\\|name\\]( \\[x\\](http://e) ← \\`tick\\`');
    expect(row.split(/(?<!\\)\|/u)).toHaveLength(9);
  });

  test('long stacks are cut in the cell, and more than ten calls point at report.json', () => {
    const deep = call({ user: Array.from({ length: 20 }, (_, i) => `f${i}`) });
    const md = syscallEventsMarkdown(scenario([Array.from({ length: 12 }, () => deep)])).join('\n');
    expect(md).toContain('f7 ← … (12 more)');
    expect(md).toContain('2 more in report.json.');
  });

  test('says so when no call passed the threshold', () => {
    expect(syscallEventsMarkdown(scenario([[]]))).toContain('No call was slower than the threshold.');
  });

  test('an A/B report lists the base side, then the head side, each counted in rounds', () => {
    const head = scenario([[call({ durationNs: 9_000_000, comm: 'head-worker' })], [call({ comm: 'head-worker' })]]);
    const base = scenario([[call({ comm: 'base-worker' })]], 2).syscallEvents!;
    const md = syscallEventsMarkdown({ ...head, baseSide: { syscallEvents: base } } as ScenarioReport).join('\n');
    const baseAt = md.indexOf('**Slowest system calls, base side** (over 1.00 ms; 3 seen in 1 round, 2 dropped past max 50 per round)');
    const headAt = md.indexOf('**Slowest system calls, head side** (over 1.00 ms; 2 seen in 2 rounds, 0 dropped past max 50 per round)');
    expect(baseAt).toBeGreaterThanOrEqual(0);
    expect(headAt).toBeGreaterThan(baseAt);
    expect(md.slice(baseAt, headAt)).toContain('| 1 | 1.50 ms | base-worker (10/11) | nanosleep |');
    expect(md.slice(headAt)).toContain('| 1 | 1.50 ms | head-worker (10/11) | nanosleep | 9.00 ms |');
    expect(md.slice(headAt)).not.toContain('base-worker');
    expect(md).toContain('| Round | At |');
  });
});
