import { describe, expect, it } from 'vitest';
import { observeExits, workloadExits } from '../../../src/collect/proc/exits.js';
import { TaskTracker } from '../../../src/collect/proc/tasks.js';
import { parseExitLine, type TaskExit } from '../../../src/kernel/taskstats.js';

const exit = (tid: number, ppid: number, runDelayNs: number, tgid = tid): TaskExit => ({ tid, tgid, ppid, runNs: 1000, runDelayNs, timeslices: 2, voluntary: 1, involuntary: 1, name: 'hackbench' });

describe('taskstats exits for the /proc fallback', () => {
  it('parses the helper lines and nothing else', () => {
    expect(parseExitLine('x 5060 5060 5057 1119155 11323182 2 1 0 sleep')).toEqual({ tid: 5060, tgid: 5060, ppid: 5057, runNs: 1119155, runDelayNs: 11323182, timeslices: 2, voluntary: 1, involuntary: 0, name: 'sleep' });
    expect([parseExitLine('ready'), parseExitLine('lost 1'), parseExitLine('s 3')]).toEqual([null, null, null]);
  });

  it('takes the children and grandchildren of a known task, in any order, and threads by group, but not strangers', () => {
    const exits = [exit(30, 20, 1), exit(20, 10, 1), exit(31, 99, 1, 30), exit(40, 1, 1), exit(50, 7, 1)];
    expect(workloadExits(exits, (tid) => tid === 10).map((x) => x.tid)).toEqual([30, 20, 31]);
  });

  it('adds what a polled thread waited after its last poll, and whole short-lived tasks the poll never saw', () => {
    const t = new TaskTracker();
    t.observe([{ tid: 10, schedstat: { runNs: 500, runDelayNs: 100, timeslices: 1 }, status: { name: 'main', voluntaryCtxtSwitches: 1, nonvoluntaryCtxtSwitches: 0 } }], false);
    const n = observeExits(t, [exit(11, 10, 700), exit(12, 10, 300), exit(10, 1, 250), exit(90, 2, 5000)], null);
    expect([n, t.totals().runDelayNs, t.totals().threadsSeen]).toEqual([3, 1250, 3]);
  });

  it('leaves out a stranger that got a workload pid again after the workload task exited, and its children', () => {
    // 20 (the workload's, polled) exits, then a stranger is given 20 and forks 21, which exits first.
    const exits = [exit(20, 10, 5), exit(21, 20, 7), exit(20, 3, 9)];
    expect(workloadExits(exits, (tid) => tid === 10 || tid === 20).map((x) => [x.tid, x.runDelayNs])).toEqual([[20, 5]]);
  });

  it('takes an exit whose run time is behind the last poll as the same thread, not a new one', () => {
    const t = new TaskTracker();
    t.observe([{ tid: 10, schedstat: { runNs: 5000, runDelayNs: 100, timeslices: 3 }, status: null }], false);
    observeExits(t, [{ ...exit(10, 1, 400), runNs: 4000 }], null);
    expect([t.totals().runDelayNs, t.totals().runNs]).toEqual([400, 5000]);
  });

  it('seeds with the workload main pid when no poll saw it', () => {
    const t = new TaskTracker();
    expect([observeExits(t, [exit(11, 10, 700), exit(10, 1, 50)], 10), t.totals().runDelayNs]).toEqual([2, 750]);
  });
});
