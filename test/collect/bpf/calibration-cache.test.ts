import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrationCache } from '../../../src/collect/bpf/calibration-cache.js';

function setup(): { dir: string; loader: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kdelta-calib-test-'));
  const loader = join(dir, 'loader');
  writeFileSync(loader, 'v1');
  return { dir, loader };
}

describe('the calibration cache', () => {
  it('gives back what the same loader and arguments measured, and nothing for other arguments', async () => {
    const { dir, loader } = setup();
    let t = 1_000_000;
    const cache = calibrationCache(loader, join(dir, 'c'), () => t);
    expect(cache.read(['--syscalls'])).toBeNull();
    await cache.write(['--syscalls'], { syscall: 171, switch: 90 });
    t += 1000;
    expect(cache.read(['--syscalls'])).toEqual({ measuredAt: 1_000_000, syscall: 171, switch: 90 });
    expect(cache.read(['--syscalls', '--threads'])).toBeNull();
    expect(readdirSync(join(dir, 'c')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('forgets a figure after an hour, and when the loader is rebuilt', async () => {
    const { dir, loader } = setup();
    let t = 5_000_000;
    const cache = calibrationCache(loader, join(dir, 'c'), () => t);
    await cache.write(['--ready'], { syscall: null, switch: 40 });
    t += 60 * 60 * 1000;
    expect(cache.read(['--ready'])).toBeNull();
    t -= 1000;
    expect(cache.read(['--ready'])?.switch).toBe(40);
    writeFileSync(loader, 'v2, a longer build');
    expect(cache.read(['--ready'])).toBeNull();
  });

  it('is empty, not an error, where it cannot write', async () => {
    const { loader } = setup();
    // A folder under a plain file: mkdir fails at once (ENOTDIR).
    const cache = calibrationCache(loader, join(loader, 'c'));
    await cache.write(['--ready'], { syscall: 1, switch: 2 });
    expect(cache.read(['--ready'])).toBeNull();
  });
});
