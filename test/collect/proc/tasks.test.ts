import { describe, expect, it } from 'vitest';
import { TaskTracker, type TaskReading } from '../../../src/collect/proc/tasks.js';

const reading = (tid: number, runNs: number, runDelayNs: number, vol = 0, invol = 0): TaskReading => ({
  tid,
  schedstat: { runNs, runDelayNs, timeslices: 1 },
  status: { name: 'w', voluntaryCtxtSwitches: vol, nonvoluntaryCtxtSwitches: invol },
});

describe('TaskTracker', () => {
  it('counts threads born during the repetition from zero and keeps an exited thread at its last poll', () => {
    const t = new TaskTracker();
    t.observe([], true);
    t.observe([reading(10, 100, 50, 1, 2), reading(11, 10, 5)], false);
    t.observe([reading(10, 200, 80, 3, 4)], false); // 11 exited
    expect(t.totals()).toMatchObject({ runNs: 210, runDelayNs: 85, voluntary: 3, involuntary: 4, threadsSeen: 2, withSchedstat: 2, withStatus: 2 });
  });

  it('counts a thread already there at the start from its value then', () => {
    const t = new TaskTracker();
    t.observe([reading(10, 1000, 500)], true);
    t.observe([reading(10, 1100, 650)], false);
    expect(t.totals().runDelayNs).toBe(150);
  });

  it('treats a tid whose counters went down as a new thread, keeping the old one', () => {
    const t = new TaskTracker();
    t.observe([reading(10, 1000, 500)], false);
    t.observe([reading(10, 20, 7)], false);
    expect(t.totals().runDelayNs).toBe(507);
  });

  it('ignores a thread whose files were both gone', () => {
    const t = new TaskTracker();
    t.observe([{ tid: 3, schedstat: null, status: null }], false);
    expect(t.totals().threadsSeen).toBe(0);
  });
});
