import { spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { repoRoot, runCli, tempDir } from '../cli/support.js';

const CASE = join(repoRoot, 'test/fixtures/compare-golden/mismatch');
const SCENARIO = join(repoRoot, 'test/fixtures/compare-golden/scenarios/syscall-mix.yaml');

function deadPid(): number {
  return Number(String(spawnSync('sh', ['-c', 'echo $$']).stdout).trim());
}

describe('what a SIGKILLed kdelta left is removed by the next command', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir('kdelta-leftovers-');
  });
  afterEach(() => tmp.remove());

  test('baseline update sweeps dead writers\' .tmp files in baselines/<machine>/, and keeps a live one\'s', async () => {
    const folder = join(tmp.path, 'baselines', 'm');
    await mkdir(folder, { recursive: true });
    const dead = `.syscall-mix.json.${deadPid()}.0123abcd.tmp`;
    const live = `.other.json.${process.pid}.0123abcd.tmp`;
    await writeFile(join(folder, dead), '');
    await writeFile(join(folder, live), '{"half":');
    const r = await runCli(['baseline', 'update', SCENARIO, '--from', join(CASE, 'current.json'), '--baselines', join(tmp.path, 'baselines'), '--machine', 'm']);
    expect(r.code).toBe(0);
    expect((await readdir(folder)).sort()).toEqual([live, 'syscall-mix.json'].sort());
  });

  test('a run or compare sweeps the out folder, and the leftovers of that folder beside it', async () => {
    const out = join(tmp.path, 'out');
    await mkdir(out);
    const pid = deadPid();
    await writeFile(join(out, `.report.json.${pid}.0123abcd.tmp`), '{"half":');
    await mkdir(join(tmp.path, `.out.kdelta-${pid}-0123abcd.tmp`));
    await mkdir(join(tmp.path, `.elsewhere.kdelta-${pid}-0123abcd.tmp`));
    const r = await runCli(['compare', join(CASE, 'base.json'), join(CASE, 'current.json'), '--out', out]);
    expect(r.code).toBe(1);
    expect((await readdir(out)).sort()).toEqual(['comment.md', 'junit.xml', 'report.html', 'report.json', 'summary.md']);
    // Another folder's leftovers beside it are not this run's business.
    expect((await readdir(tmp.path)).sort()).toEqual([`.elsewhere.kdelta-${pid}-0123abcd.tmp`, 'out'].sort());
  });

  test('the default reports/ folder is swept of half-built run folders and link files', async () => {
    const reports = join(tmp.path, 'reports');
    await mkdir(reports);
    const pid = deadPid();
    await mkdir(join(reports, `.20261201T000000Z-abc.kdelta-${pid}-0123abcd.tmp`));
    await writeFile(join(reports, `.latest.${pid}.0123abcd.tmp`), '');
    const r = await runCli(['compare', join(CASE, 'base.json'), join(CASE, 'current.json')], { cwd: tmp.path });
    expect(r.code).toBe(1);
    const left = await readdir(reports);
    expect(left.filter((n) => n.startsWith('.'))).toEqual([]);
    expect(left).toContain('latest');
  });
});
