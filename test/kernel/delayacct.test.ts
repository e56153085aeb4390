import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdDelayAcct, releaseDelayAcct, type DelayAcctSwitch } from '../../src/kernel/delayacct.js';

function fakeSwitch(initial: '0' | '1', dead: Set<number> = new Set()): DelayAcctSwitch & { value(): string } {
  const root = mkdtempSync(join(tmpdir(), 'kdelta-delayacct-'));
  const sysctl = join(root, 'task_delayacct');
  writeFileSync(sysctl, `${initial}\n`);
  return { sysctl, dir: join(root, 'registry'), alive: (pid) => !dead.has(pid), value: () => readFileSync(sysctl, 'utf8').trim() };
}

describe('delay accounting held by several runs', () => {
  it('stays on until the last of two overlapping runs lets go, then goes back off', () => {
    const sw = fakeSwitch('0');
    holdDelayAcct('100.1', sw);
    expect(sw.value()).toBe('1');
    holdDelayAcct('200.1', sw);
    releaseDelayAcct('100.1', sw);
    expect(sw.value()).toBe('1');
    releaseDelayAcct('200.1', sw);
    expect(sw.value()).toBe('0');
  });

  it('is left on when it was on before any run', () => {
    const sw = fakeSwitch('1');
    holdDelayAcct('100.1', sw);
    holdDelayAcct('200.1', sw);
    releaseDelayAcct('200.1', sw);
    releaseDelayAcct('100.1', sw);
    expect(sw.value()).toBe('1');
  });

  it('ignores the holder file of a run that died, and switches off after the live one', () => {
    const dead = new Set([300]);
    const sw = fakeSwitch('0', dead);
    holdDelayAcct('300.1', sw);
    holdDelayAcct('400.1', sw);
    releaseDelayAcct('400.1', sw);
    expect(sw.value()).toBe('0');
    expect(existsSync(join(sw.dir, '300.1'))).toBe(false);
  });

  it('keeps two holders of one process apart', () => {
    const sw = fakeSwitch('0');
    holdDelayAcct('500.1', sw);
    holdDelayAcct('500.2', sw);
    releaseDelayAcct('500.1', sw);
    expect(sw.value()).toBe('1');
    releaseDelayAcct('500.2', sw);
    expect(sw.value()).toBe('0');
  });

  it('takes over a lock left by a run that died holding it', () => {
    const sw = fakeSwitch('0');
    mkdirSync(join(sw.dir, 'lock'), { recursive: true });
    const t0 = Date.now();
    holdDelayAcct('600.1', sw);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900);
    expect(sw.value()).toBe('1');
    releaseDelayAcct('600.1', sw);
    expect(sw.value()).toBe('0');
  });
});
