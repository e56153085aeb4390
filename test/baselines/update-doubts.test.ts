import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { repoRoot, runCli, tempDir } from '../cli/support.js';

const REPORT = join(repoRoot, 'test/fixtures/compare-golden/mismatch/current.json');
const SCENARIO = join(repoRoot, 'test/fixtures/compare-golden/scenarios/syscall-mix.yaml');

describe('baseline update --from a report whose capture lost counted entries', () => {
  let tmp: { path: string; remove: () => Promise<void> };
  beforeEach(async () => {
    tmp = await tempDir('kdelta-update-doubts-');
  });
  afterEach(() => tmp.remove());

  test('skips the scenario with the doubt named, and --force stores it', async () => {
    const report = JSON.parse(readFileSync(REPORT, 'utf8')) as { scenarios: Array<{ lost: unknown[] }> };
    report.scenarios[0]!.lost = [{ repetition: 3, collector: 'ebpf', what: 'ready-delay map full: 12 episodes dropped' }];
    const from = join(tmp.path, 'report.json');
    await writeFile(from, JSON.stringify(report));
    const args = ['baseline', 'update', SCENARIO, '--from', from, '--baselines', join(tmp.path, 'baselines'), '--machine', 'm'];
    const file = join(tmp.path, 'baselines', 'm', 'syscall-mix.json');

    const r = await runCli(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('kdelta: not updating a baseline from samples in doubt: syscall-mix: repetition 3: the capture lost 12 entries (ready-delay map full: 12 episodes dropped)');
    expect(r.stderr).toContain('--scenario syscall-mix --force');
    expect(existsSync(file)).toBe(false);

    const forced = await runCli([...args, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain(`kdelta: wrote ${file}`);
    expect(existsSync(file)).toBe(true);
  });

  test('a lost entry that counts nothing (the timeline) is no doubt', async () => {
    const report = JSON.parse(readFileSync(REPORT, 'utf8')) as { scenarios: Array<{ lost: unknown[] }> };
    report.scenarios[0]!.lost = [{ repetition: 1, collector: 'ebpf', what: 'timeline map full or repetition past 40960 ms: 4 updates dropped' }];
    const from = join(tmp.path, 'report.json');
    await writeFile(from, JSON.stringify(report));
    const r = await runCli(['baseline', 'update', SCENARIO, '--from', from, '--baselines', join(tmp.path, 'baselines'), '--machine', 'm']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('in doubt');
    expect(existsSync(join(tmp.path, 'baselines', 'm', 'syscall-mix.json'))).toBe(true);
  });
});
