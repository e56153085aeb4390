import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, type ProgressOptions } from '../../src/run/progress.js';

function recorder(opts: Partial<ProgressOptions> = {}) {
  const writes: string[] = [];
  let t = 0;
  const progress = createProgress({ write: (s) => writes.push(s), isTTY: false, color: false, githubActions: false, now: () => t, ...opts });
  return { progress, writes, advance: (ms: number) => (t += ms) };
}

describe('progress off a terminal (CI logs, pipes)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes one whole line per event, at the moment it happens, with no cursor codes', () => {
    const { progress, writes, advance } = recorder();
    progress.scenarioStart('demo', 3, 1);
    expect(writes).toEqual(['kdelta: demo: 1 warm-up + 3 repetitions\n']);
    advance(500);
    progress.repetitionDone('demo', 0, true, 480e6);
    expect(writes.at(-1)).toBe('kdelta: demo: warm-up 1/1 done in 0.5 s\n');
    for (const i of [1, 2, 3]) {
      const before = writes.length;
      progress.repetitionDone('demo', i, false, 1.25e9);
      // Each repetition is its own write, not batched for later.
      expect(writes.length).toBe(before + 1);
      expect(writes.at(-1)).toBe(`kdelta: demo: repetition ${i}/3 done in 1.3 s\n`);
    }
    advance(3000);
    progress.scenarioEnd('demo', '3 repetitions measured');
    expect(writes.at(-1)).toBe('kdelta: demo: 3 repetitions measured (3.5 s)\n');
    progress.warn('careful');
    progress.info('fyi');
    progress.close();
    expect(writes.slice(-2)).toEqual(['kdelta: warning: careful\n', 'kdelta: fyi\n']);
    for (const w of writes) {
      expect(w.endsWith('\n')).toBe(true);
      for (const ch of ['\r', '\n', '\x1b']) expect(w.slice(0, -1)).not.toContain(ch);
    }
  });

  it('a heartbeat line during a long repetition, stopped at the end of the scenario', () => {
    const { progress, writes, advance } = recorder({ heartbeatMs: 1000 });
    progress.scenarioStart('slow', 1, 0);
    advance(1000);
    vi.advanceTimersByTime(1000);
    expect(writes.at(-1)).toBe('kdelta: slow: still running (1.0 s elapsed)\n');
    advance(1000);
    vi.advanceTimersByTime(1000);
    expect(writes.at(-1)).toBe('kdelta: slow: still running (2.0 s elapsed)\n');
    progress.scenarioEnd('slow', 'done');
    const n = writes.length;
    vi.advanceTimersByTime(10_000);
    expect(writes.length).toBe(n);
  });

  it('the default heartbeat is at least once a minute (DESIGN: CI logs show life)', () => {
    const { progress, writes } = recorder();
    progress.scenarioStart('slow', 1, 0);
    vi.advanceTimersByTime(60_000);
    expect(writes.filter((w) => w.includes('still running')).length).toBeGreaterThanOrEqual(1);
    progress.close();
  });

  it('in GitHub Actions each scenario is a ::group::', () => {
    const { progress, writes } = recorder({ githubActions: true });
    progress.scenarioStart('g', 1, 0);
    progress.repetitionDone('g', 0, false, 1e6);
    progress.scenarioEnd('g', 'ok');
    expect(writes[0]).toBe('::group::kdelta g\n');
    expect(writes.at(-1)).toBe('::endgroup::\n');
  });

  it('colour only when asked', () => {
    const plain = recorder();
    plain.progress.warn('w');
    expect(plain.writes.join('')).not.toContain('\x1b');
  });
});

describe('progress on a terminal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('one live line redrawn in place, cleared before a whole line and on close', () => {
    const { progress, writes, advance } = recorder({ isTTY: true });
    progress.scenarioStart('live', 2, 0);
    expect(writes.at(-1)).toBe('\r\x1b[2Klive  repetition 1/2  0.0 s');
    advance(700);
    progress.repetitionDone('live', 0, false, 7e8);
    expect(writes.at(-1)).toBe('\r\x1b[2Klive  repetition 2/2  0.7 s');
    progress.warn('hm');
    expect(writes.slice(-2)).toEqual(['\r\x1b[2K', 'kdelta: warning: hm\n']);
    progress.scenarioEnd('live', 'done');
    expect(writes.at(-1)).toBe('kdelta: live: done (0.7 s)\n');
    progress.close();
  });
});
