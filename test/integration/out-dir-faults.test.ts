import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { plainEnv, repoRoot, runCli } from '../cli/support.js';

const scenarios = join(repoRoot, 'test', 'fixtures', 'cli', 'valid');

// A real file system that is full or read-only: a 64 KiB tmpfs mounted for each test (root).
describe('the out folder on a full or read-only file system', () => {
  let mnt: string;
  beforeEach(() => {
    mnt = mkdtempSync(join(tmpdir(), 'kdelta-fs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
  });
  afterEach(() => {
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  it('a full file system is exit 3 before anything is measured, naming the folder and the fix', async () => {
    const r = await runCli(['run', scenarios, '--out', join(mnt, 'r')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no room for the reports in ${join(mnt, 'r')}`);
    expect(r.stderr).toContain('fix: ');
    expect(r.stderr).not.toMatch(/warm-up|repetition/);
  });

  it('a read-only file system is exit 3 before anything is measured, and nothing is written', async () => {
    mkdirSync(join(mnt, 'r'));
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const r = await runCli(['run', scenarios, '--out', join(mnt, 'r')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('EROFS');
    expect(readdirSync(join(mnt, 'r'))).toEqual([]);
  });
});

describe('other places kdelta writes to', () => {
  it('an empty --out is bad input (exit 2), not reports/', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kdelta-cwd-'));
    const r = await runCli(['run', scenarios, '--out', ''], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--out is empty');
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it('an unwritable $GITHUB_STEP_SUMMARY is exit 3 before the run', async () => {
    const out = mkdtempSync(join(tmpdir(), 'kdelta-out-'));
    const r = await runCli(['run', scenarios, '--out', out], { env: { ...plainEnv(), GITHUB_STEP_SUMMARY: '/proc/no-such-dir/summary.md' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('$GITHUB_STEP_SUMMARY');
    expect(readdirSync(out)).toEqual([]);
  });
});
