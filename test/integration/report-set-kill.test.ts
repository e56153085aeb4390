import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REPORT_SET_NAMES, sweepStaleSets, writeFileSet } from '../../src/file-set.js';
import { sweepStaleTemps } from '../../src/files.js';
import { repoRoot, requireBuild, tempDir } from '../cli/support.js';

/*
 * A writer SIGKILLed at random moments while it replaces a report set over and over: after
 * each kill (and the sweep the next run does) the folder holds one whole set, all five files
 * of one generation, the user's own file, and nothing half-done beside it.
 */
const TRIALS = 20;
const WRITER = `
const { writeFileSet } = await import(process.argv[1]);
const names = ${JSON.stringify(REPORT_SET_NAMES)};
const pad = 'x'.repeat(256 * 1024);
for (let gen = 1; ; gen++) {
  await writeFileSet(process.argv[2], names.map((n) => [n, 'gen ' + gen + '\\n' + pad]), process.argv[3]);
  process.stdout.write('gen ' + gen + '\\n');
}
`;

function generationsIn(dir: string): string[] {
  return REPORT_SET_NAMES.map((n) => readFileSync(join(dir, n), 'utf8').split('\n', 1)[0] ?? '');
}

describe('a report set survives SIGKILL of its writer at any moment', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    requireBuild();
    tmp = await tempDir('kdelta-setkill-');
  });
  afterEach(() => tmp.remove());

  it(`${TRIALS} kills leave the old set or the new one, never a mix, and the next run sweeps what is left`, async () => {
    const parent = join(tmp.path, 'reports');
    const dir = join(parent, 'out');
    const cwd = join(tmp.path, 'cwd');
    mkdirSync(parent);
    mkdirSync(cwd);
    await writeFileSet(dir, REPORT_SET_NAMES.map((n) => [n, 'gen 0\n']), cwd);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const module = pathToFileURL(join(repoRoot, 'dist', 'file-set.js')).href;
    const seen = new Set<string>();
    let swept = 0;
    for (let trial = 0; trial < TRIALS; trial++) {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, module, dir, cwd], { stdio: ['ignore', 'pipe', 'inherit'] });
      let written = 0;
      child.stdout.on('data', (b: Buffer) => (written += String(b).split('\n').length - 1));
      await new Promise((r) => setTimeout(r, 150 + Math.random() * 400));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      swept += (await sweepStaleSets(parent, 'out')).length;
      await sweepStaleTemps(dir);
      expect(readdirSync(parent)).toEqual(['out']);
      expect(readdirSync(dir).sort()).toEqual([...REPORT_SET_NAMES, 'notes.txt'].sort());
      const gens = generationsIn(dir);
      expect(new Set(gens).size).toBe(1);
      expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
      seen.add(written > 0 ? 'after a write' : 'before any');
    }
    // The kills fell where the writer was working, not only before it started.
    expect(seen.has('after a write')).toBe(true);
    expect(swept).toBeGreaterThan(0);
  }, 120_000);
});
