import { describe, expect, it } from 'vitest';
import { Interrupted, interruptedExitCode, useColor } from '../../src/io.js';

describe('useColor', () => {
  it('only on a terminal by default', () => {
    expect(useColor({ env: {}, isTTY: true })).toBe(true);
    expect(useColor({ env: {}, isTTY: false })).toBe(false);
  });
  it('NO_COLOR (non-empty) wins over a terminal and FORCE_COLOR', () => {
    expect(useColor({ env: { NO_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(useColor({ env: { NO_COLOR: '1', FORCE_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(useColor({ env: { NO_COLOR: '' }, isTTY: true })).toBe(true);
  });
  it('FORCE_COLOR turns it on off a terminal, 0/false turn it off', () => {
    expect(useColor({ env: { FORCE_COLOR: '1' }, isTTY: false })).toBe(true);
    expect(useColor({ env: { FORCE_COLOR: '0' }, isTTY: true })).toBe(false);
    expect(useColor({ env: { FORCE_COLOR: 'false' }, isTTY: true })).toBe(false);
  });
});

describe('interruptedExitCode', () => {
  const aborted = (reason?: unknown) => {
    const c = new AbortController();
    c.abort(reason);
    return c.signal;
  };
  it('128 + the signal number: 130 for SIGINT, 143 for SIGTERM', () => {
    expect(interruptedExitCode(aborted(new Interrupted('SIGINT')))).toBe(130);
    expect(interruptedExitCode(aborted(new Interrupted('SIGTERM')))).toBe(143);
  });
  it('130 for an abort without a signal (an embedding program, a test)', () => {
    expect(interruptedExitCode(aborted())).toBe(130);
    expect(interruptedExitCode(aborted(new Error('x')))).toBe(130);
  });
});
