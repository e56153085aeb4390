import { spawnSync } from 'node:child_process';
import { chmod, chown, mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { REPORT_SET_NAMES, sweepStaleSets, writeFileSet } from '../../src/file-set.js';
import { parseTempName, STALE_TEMP_MS, sweepStaleTemps } from '../../src/files.js';
import { tempDir } from '../cli/support.js';

const setOf = (generation: string) => REPORT_SET_NAMES.map((name) => [name, `${name} ${generation}\n`] as const);

/** The pid of a process that has exited: its number is free (until reused, which the age bound covers). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

describe('writeFileSet: the report set is replaced as a whole', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir('kdelta-set-');
  });
  afterEach(() => tmp.remove());

  test('a new folder is renamed into place once, and nothing is left beside it', async () => {
    const dir = join(tmp.path, 'out');
    expect(await writeFileSet(dir, setOf('1'), tmp.path)).toBe('renamed');
    expect((await readdir(dir)).sort()).toEqual([...REPORT_SET_NAMES].sort());
    expect(await readdir(tmp.path)).toEqual(['out']);
  });

  test('an existing folder is swapped; the files the user keeps there stay, the old set goes', async () => {
    const dir = join(tmp.path, 'out');
    await writeFileSet(dir, setOf('1'), tmp.path);
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    await mkdir(join(dir, 'older-run'));
    await writeFile(join(dir, 'older-run', 'report.json'), '{}\n');
    await chmod(dir, 0o2775);
    await chown(dir, 1234, 5678);
    expect(await writeFileSet(dir, setOf('2'), tmp.path)).toBe('swapped');
    const after = await stat(dir);
    expect([after.mode & 0o7777, after.uid, after.gid]).toEqual([0o2775, 1234, 5678]);
    for (const name of REPORT_SET_NAMES) expect(await readFile(join(dir, name), 'utf8')).toBe(`${name} 2\n`);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(await readFile(join(dir, 'older-run', 'report.json'), 'utf8')).toBe('{}\n');
    expect(await readdir(tmp.path)).toEqual(['out']);
  });

  test('the working directory itself is never renamed away: its files are replaced one by one', async () => {
    await writeFile(join(tmp.path, 'report.json'), 'old\n');
    expect(await writeFileSet(tmp.path, setOf('3'), tmp.path)).toBe('in-place');
    expect(await readFile(join(tmp.path, 'report.json'), 'utf8')).toBe('report.json 3\n');
    expect((await readdir(tmp.path)).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});

describe('leftovers of a killed kdelta are swept by the next run, and only those', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir('kdelta-sweep-');
  });
  afterEach(() => tmp.remove());

  test('temporary files of a dead writer, or older than the bound, are removed; a live writer keeps its own', async () => {
    const dead = deadPid();
    const names = {
      dead: `.report.json.${dead}.0123abcd.tmp`,
      live: `.report.json.${process.pid}.89abcdef.tmp`,
      oldLive: `.junit.xml.${process.pid}.00000000.tmp`,
      baseline: `.syscall-loop.json.${dead}.deadbeef.tmp`,
      user: '.my-editor-file.tmp',
    };
    for (const n of Object.values(names)) await writeFile(join(tmp.path, n), '');
    const past = (Date.now() - STALE_TEMP_MS - 60_000) / 1000;
    await utimes(join(tmp.path, names.oldLive), past, past);
    const removed = await sweepStaleTemps(tmp.path);
    expect(removed.sort()).toEqual([names.dead, names.oldLive, names.baseline].sort());
    expect((await readdir(tmp.path)).sort()).toEqual([names.live, names.user].sort());
  });

  test('a half-built set is deleted; an old set whose swap was cut is put back where the folder was', async () => {
    const dead = deadPid();
    await mkdir(join(tmp.path, `.out.kdelta-${dead}-0123abcd.tmp`));
    await writeFile(join(tmp.path, `.out.kdelta-${dead}-0123abcd.tmp`, 'report.json'), 'half');
    const old = join(tmp.path, `.out.kdelta-${dead}-89abcdef.old`);
    await mkdir(old);
    await writeFile(join(old, 'report.json'), 'previous\n');
    await writeFile(join(old, 'notes.txt'), 'mine\n');
    expect((await sweepStaleSets(tmp.path)).length).toBe(2);
    expect(await readdir(tmp.path)).toEqual(['out']);
    expect(await readFile(join(tmp.path, 'out', 'report.json'), 'utf8')).toBe('previous\n');
    expect(await readFile(join(tmp.path, 'out', 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  test('an old set cut after the new one landed gives back the user files still in it, and the rest goes', async () => {
    const dead = deadPid();
    await writeFileSet(join(tmp.path, 'out'), setOf('new'), tmp.path);
    const old = join(tmp.path, `.out.kdelta-${dead}-89abcdef.old`);
    await mkdir(old);
    await writeFile(join(old, 'report.json'), 'previous\n');
    await writeFile(join(old, 'notes.txt'), 'mine\n');
    await sweepStaleSets(tmp.path, 'out');
    expect(await readdir(tmp.path)).toEqual(['out']);
    expect(await readFile(join(tmp.path, 'out', 'report.json'), 'utf8')).toBe('report.json new\n');
    expect(await readFile(join(tmp.path, 'out', 'notes.txt'), 'utf8')).toBe('mine\n');
  });

  test('the names are told apart: files, sets, old sets, and anything else', () => {
    expect(parseTempName('.report.json.123.0123abcd.tmp')).toEqual({ name: '.report.json.123.0123abcd.tmp', target: 'report.json', pid: 123, kind: 'file' });
    expect(parseTempName('.run-1.kdelta-9-0123abcd.old')).toMatchObject({ target: 'run-1', pid: 9, kind: 'old-set' });
    expect(parseTempName('.run-1.kdelta-9-0123abcd.tmp')).toMatchObject({ target: 'run-1', kind: 'set' });
    expect(parseTempName('report.json')).toBeNull();
    expect(parseTempName('.x.12.nothex00.tmp')).toBeNull();
  });
});

describe('writeFileSet never replaces what is not a folder', () => {
  test('a file where the folder should be is an error, and the file is left alone', async () => {
    const tmp = await tempDir('kdelta-set-');
    try {
      const path = join(tmp.path, 'out');
      await writeFile(path, 'my file\n');
      await expect(writeFileSet(path, setOf('1'), tmp.path)).rejects.toMatchObject({ code: 'ENOTDIR' });
      expect(await readFile(path, 'utf8')).toBe('my file\n');
      expect(await readdir(tmp.path)).toEqual(['out']);
    } finally {
      await tmp.remove();
    }
  });
});
