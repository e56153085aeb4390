import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasStackTrace, repoRoot, runCli, tempDir } from './support.js';

// Bad input to `kdelta run` is found before anything runs: exit 2, a message naming what is
// wrong, no stack trace, no progress lines (nothing was started).
const fixtures = join(repoRoot, 'test', 'fixtures', 'cli');
const quick = join(fixtures, 'valid', 'quick.yaml');
let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  dir = await tempDir('kdelta-run-input-');
});
afterAll(async () => {
  await dir.remove();
});

function expectRejectedBeforeRunning(r: { code: number; stdout: string; stderr: string }): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(hasStackTrace(r.stderr)).toBe(false);
  expect(r.stderr).not.toMatch(/warm-up \+ \d+ repetitions|internal error/);
}

describe('kdelta run: bad input', () => {
  it('a broken scenario file: every problem as file:line:col, then exit 2', async () => {
    const r = await runCli(['run', join(fixtures, 'broken'), '--out', join(dir.path, 'out')]);
    expectRejectedBeforeRunning(r);
    expect(r.stderr).toContain(`${join(fixtures, 'broken', 'unknown-key.yaml')}:4:1: `);
    expect(r.stderr).toContain('fix: run `kdelta validate` and fix what it lists');
  });

  it('--scenario naming no scenario: exit 2 with the known names', async () => {
    const r = await runCli(['run', quick, '--scenario', 'nope', '--out', join(dir.path, 'out')]);
    expectRejectedBeforeRunning(r);
    expect(r.stderr).toContain('no scenario named nope');
    expect(r.stderr).toContain('known: quick');
  });

  it('--out that is a file, or below one: exit 2 naming it, before the run', async () => {
    const file = join(dir.path, 'a-file');
    writeFileSync(file, 'keep');
    for (const out of [file, join(file, 'sub')]) {
      const r = await runCli(['run', quick, '--out', out, '--baselines', join(dir.path, 'b')]);
      expectRejectedBeforeRunning(r);
      expect(r.stderr).toContain(`cannot write reports into ${out}`);
    }
  });

  it('--machine that cannot be a folder name: exit 2', async () => {
    const r = await runCli(['run', quick, '--machine', '../escape', '--out', join(dir.path, 'out')]);
    expectRejectedBeforeRunning(r);
    expect(r.stderr).toContain('machine name "../escape" cannot be a folder name');
  });
});
