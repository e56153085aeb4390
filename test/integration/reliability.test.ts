// Inputs that used to hang kdelta, run through bin/kdelta.js as a CI job would: each must end
// on its own, well inside the kill timeout given to the child, with the exit code that says why.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, requireBuild, tempDir } from '../cli/support.js';

const GOLDEN = join(repoRoot, 'test/fixtures/compare-golden/mixed');
/** Far above what a refusal takes (well under a second) and far below a hang. */
const KILL_AFTER_MS = 10_000;

let dir: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-reliability-');
  execFileSync('mkfifo', [join(dir.path, 'fifo.json'), join(dir.path, 'fifo.yaml')]);
});
afterAll(async () => {
  await dir.remove();
});

function kdelta(args: string[]): { status: number | null; signal: NodeJS.Signals | null; stderr: string; ms: number } {
  const t0 = Date.now();
  const run = spawnSync(process.execPath, [join(repoRoot, 'bin/kdelta.js'), ...args], {
    cwd: dir.path,
    encoding: 'utf8',
    timeout: KILL_AFTER_MS,
    killSignal: 'SIGKILL',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir.path },
  });
  return { status: run.status, signal: run.signal, stderr: run.stderr, ms: Date.now() - t0 };
}

describe('inputs that are not regular files or folders', () => {
  it('refuses a FIFO given as the baseline to compare with exit 2, naming it', () => {
    const r = kdelta(['compare', join(dir.path, 'fifo.json'), join(GOLDEN, 'current.json'), '--out', join(dir.path, 'o1')]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('fifo.json: cannot read: is not a regular file');
  });

  it('refuses a FIFO given as the report to compare with exit 2', () => {
    const r = kdelta(['compare', join(GOLDEN, 'base.json'), join(dir.path, 'fifo.json'), '--out', join(dir.path, 'o2')]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
  });

  it('compares a report whose scenario file is a FIFO without waiting on it', () => {
    const report = JSON.parse(readFileSync(join(GOLDEN, 'current.json'), 'utf8')) as { scenarios: Array<{ file: string }> };
    for (const s of report.scenarios) s.file = join(dir.path, 'fifo.yaml');
    writeFileSync(join(dir.path, 'points-at-fifo.json'), JSON.stringify(report));
    const r = kdelta(['compare', join(GOLDEN, 'base.json'), join(dir.path, 'points-at-fifo.json'), '--out', join(dir.path, 'o3')]);
    const asSaved = kdelta(['compare', join(GOLDEN, 'base.json'), join(GOLDEN, 'current.json'), '--out', join(dir.path, 'o4')]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(asSaved.status);
  });

  it.each(['/proc/kdelta-x', '/proc/1/kdelta-x/y', '/sys/kdelta-x'])('refuses --out %s with exit 2 instead of spinning', (out) => {
    const r = kdelta(['compare', join(GOLDEN, 'base.json'), join(GOLDEN, 'current.json'), '--out', out]);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot write reports into ${out}`);
  });
});

