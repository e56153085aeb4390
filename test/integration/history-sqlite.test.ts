import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { openStore } from '../../src/history/open.js';
import { reportJsonText } from '../../src/report/write.js';
import { plainEnv, repoRoot, runCli } from '../cli/support.js';
import { nightlyReports } from '../history/support.js';
import { killWriterMidTransaction, runWriter, writerScript } from './history-support.js';

let dir: string;
let paths: string[];

/** 60 nightly runs; wall time steps up 10% at run 45. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdelta-history-'));
  paths = [];
  for (const r of nightlyReports(60, (i) => (i >= 45 ? 1.1e6 : 1e6))) {
    const d = join(dir, 'reports', r.runId);
    await mkdir(d, { recursive: true });
    await writeFile(join(d, 'report.json'), reportJsonText(r));
    paths.push(join('reports', r.runId, 'report.json'));
  }
});

const cli = (argv: string[]) => runCli(argv, { cwd: dir, env: plainEnv({ KDELTA_STORE: '', KDELTA_COMMIT: '', GITHUB_SHA: '' }) });

describe('kdelta history on SQLite', () => {
  test('add writes the default store file, and import of the same reports adds nothing', async () => {
    const added = await cli(['history', 'add', ...paths.slice(0, 30)]);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('30 runs added, 0 already there');
    expect(existsSync(join(dir, '.kdelta/history.sqlite'))).toBe(true);
    const again = await cli(['history', 'import', ...paths]);
    expect(again.stdout).toContain('30 runs added, 30 already there');
  });

  test('list shows every run once, oldest first', async () => {
    const listed = await cli(['history', 'list', '--json']);
    const runs = JSON.parse(listed.stdout) as Array<{ runId: string }>;
    expect(runs.map((r) => r.runId)).toEqual(nightlyReports(60, () => 1).map((r) => r.runId));
  });

  test('export writes the CSV Otava reads: a time column, attributes and one column per metric', async () => {
    const csv = (await cli(['history', 'export', '--format', 'csv'])).stdout.trim().split('\n');
    expect(csv[0]).toBe('time,commit,run_id,machine,alpha/sched.ready_delay.p99,alpha/workload.wall_time,beta<&>/sched.ready_delay.p99,beta<&>/workload.wall_time');
    expect(csv).toHaveLength(61);
    expect(csv[1]).toMatch(/^2026-01-01T00:00:00.000Z,,20260000-run,x86_64-2cpu-1node-intel-xeon,[0-9.]+,[0-9.]+,[0-9.]+,[0-9.]+$/);
  });

  test('detect finds the step at run 46 and exits 1 while it is within the window', async () => {
    const recent = await cli(['history', 'detect', '--metric', 'workload.*', '--window', '20', '--json']);
    expect(recent.code).toBe(1);
    const { changes } = JSON.parse(recent.stdout) as { changes: Array<{ scenario: string; index: number; direction: string; gates: boolean; change: number }> };
    expect(changes.map((c) => [c.scenario, c.index, c.direction, c.gates])).toEqual([
      ['alpha', 45, 'regression', true],
      ['beta<&>', 45, 'regression', true],
    ]);
    expect(changes[0]!.change).toBeCloseTo(0.1, 1);
    const old = await cli(['history', 'detect', '--metric', 'workload.*', '--window', '5']);
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/alpha workload.wall_time: \+(9\.[5-9]|10\.[0-4])% .* between 20260044-run and 20260045-run .*: regression\n/);
  });

  test('a bad --format is bad input, exit 2', async () => {
    const r = await cli(['history', 'export', '--format', 'xml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('use --format csv or --format json');
  });

  test('a writer SIGKILLed mid-transaction leaves no half run, keeps what was committed, and the store stays writable', async () => {
    const script = await writerScript();
    const location = join(dir, 'kill.sqlite');
    expect(await runWriter(script, location, 'committed')).toContain('added');
    expect(await killWriterMidTransaction(script, location, 'half')).toBe('SIGKILL');
    expect(await runWriter(script, location, 'after')).toContain('added');
    const store = await openStore(location, repoRoot);
    try {
      const runs = await store.listRuns();
      expect(runs.map((r) => [r.runId, r.metrics]).sort()).toEqual([
        ['after', 150],
        ['committed', 150],
      ]);
    } finally {
      await store.close();
    }
  });
});
