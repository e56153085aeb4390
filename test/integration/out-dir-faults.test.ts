import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeBaseline } from '../../src/baselines/store.js';
import { EnvironmentError } from '../../src/errors.js';
import { publishReport } from '../../src/report/publish.js';
import { sampleBaseline } from '../baselines/sample.js';
import { plainEnv, repoRoot, runCli, TextSink } from '../cli/support.js';
import { sampleReport } from '../report/sample.js';

const scenarios = join(repoRoot, 'test', 'fixtures', 'cli', 'valid');
const GOLDEN = join(repoRoot, 'test', 'fixtures', 'compare-golden', 'mismatch');

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

// Writes that fail part-way (the pre-run checks passed, then the disk filled or went read-only).
describe('a write that fails on the machine is exit 3 with the path and the fix, never 70', () => {
  let mnt: string;
  beforeEach(() => {
    mnt = mkdtempSync(join(tmpdir(), 'kdelta-fs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
  });
  afterEach(() => {
    execFileSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  });

  const io = (env: NodeJS.ProcessEnv = plainEnv()) => ({ argv: [], env, cwd: repoRoot, stdout: new TextSink(), stderr: new TextSink(), isTTY: false, signal: new AbortController().signal });

  it('the disk filling while the reports are written: exit 3, and no partial set is left', async () => {
    const target = join(mnt, 'out');
    const world = io();
    const err = await publishReport(sampleReport(), target, world).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).exitCode).toBe(3);
    // The verdict is still on the console.
    expect(world.stderr.text).toContain(sampleReport().scenarios[0]?.name ?? 'no scenario');
    expect((err as EnvironmentError).message).toBe('cannot write the reports: ENOSPC');
    expect((err as EnvironmentError).file).toBe(target);
    expect((err as EnvironmentError).fix).toContain('free space on that file system');
    expect(readdirSync(mnt)).toEqual([]);
  });

  it('an existing report set on a disk that fills keeps the old set whole', async () => {
    const target = join(mnt, 'out');
    mkdirSync(target);
    writeFileSync(join(target, 'report.json'), 'old\n');
    writeFileSync(join(target, 'junit.xml'), 'old\n');
    const err = await publishReport(sampleReport(), target, io()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(readdirSync(mnt)).toEqual(['out']);
    expect(readdirSync(target).sort()).toEqual(['junit.xml', 'report.json']);
    expect(readFileSync(join(target, 'report.json'), 'utf8')).toBe('old\n');
  });

  it('a full $GITHUB_STEP_SUMMARY is exit 3 naming it, after the reports are written', async () => {
    const summary = join(mnt, 'summary.md');
    // Fill the file system: the pre-run check (it is writable) passes, the append does not.
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k', 'count=100']);
    writeFileSync(summary, '');
    const out = mkdtempSync(join(tmpdir(), 'kdelta-out-'));
    const r = await runCli(['compare', join(GOLDEN, 'base.json'), join(GOLDEN, 'current.json'), '--out', out], { env: { ...plainEnv(), GITHUB_STEP_SUMMARY: summary } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${summary}: cannot write the step summary ($GITHUB_STEP_SUMMARY): ENOSPC`);
    expect(r.stderr).toContain('fix: free space on that file system, or unset GITHUB_STEP_SUMMARY');
    expect(readdirSync(out).sort()).toEqual(['comment.md', 'junit.xml', 'report.html', 'report.json', 'summary.md']);
  });

  it('a read-only baselines folder is exit 3 before any baseline is written (baseline update --from)', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const r = await runCli(['baseline', 'update', join(repoRoot, 'test/fixtures/compare-golden/scenarios/syscall-mix.yaml'), '--from', join(GOLDEN, 'current.json'), '--baselines', mnt, '--machine', 'm']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${join(mnt, 'm')}: cannot write baselines: EROFS`);
    expect(r.stderr).toContain('fix: the file system is read-only');
  });

  it('a read-only baselines folder with run --update-baselines is exit 3 before anything is measured', async () => {
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const out = mkdtempSync(join(tmpdir(), 'kdelta-out-'));
    const r = await runCli(['run', scenarios, '--out', out, '--update-baselines', '--baselines', mnt, '--machine', 'm']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('cannot write baselines: EROFS');
    expect(r.stderr).not.toMatch(/warm-up|repetition/);
  });

  it('a baseline write on a full disk is exit 3 naming the file, and no temporary file is left', async () => {
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k', 'count=100']);
    mkdirSync(join(mnt, 'm'));
    const path = join(mnt, 'm', 'syscall-loop.json');
    const err = await writeBaseline(path, sampleBaseline()).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as EnvironmentError).file).toBe(path);
    expect(readdirSync(join(mnt, 'm'))).toEqual([]);
  });
});
