import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIGRATIONS } from '../../src/history/migrations.js';
import { openStore } from '../../src/history/open.js';
import { reportJsonText } from '../../src/report/write.js';
import { plainEnv, repoRoot, runCli } from '../cli/support.js';
import { nightlyReports } from '../history/support.js';
import { killWriterMidTransaction, runWriter, writerScript } from './history-support.js';

/**
 * A real PostgreSQL server: .ci/run starts Debian's cluster and exports KDELTA_TEST_PG. Each
 * run of this file gets a database of its own, dropped at the end.
 */
const admin = process.env['KDELTA_TEST_PG'];
let url = '';
let dbName = '';

beforeAll(async () => {
  if (!admin) throw new Error('KDELTA_TEST_PG is not set: start PostgreSQL (pg_ctlcluster 15 main start) and export KDELTA_TEST_PG=postgres://kdelta:kdelta@127.0.0.1:5432/kdelta_test, as .ci/run does');
  dbName = `kdelta_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${client.escapeIdentifier(dbName)}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${dbName}`;
  url = u.toString();
});

afterAll(async () => {
  if (!admin || !dbName) return;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(dbName)} WITH (FORCE)`);
  await client.end();
});

describe('the history store on PostgreSQL', () => {
  test('opening migrates to the newest schema once, and opening again changes nothing', async () => {
    const first = await openStore(url, repoRoot);
    expect(await first.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    await first.close();
    const again = await openStore(url, repoRoot);
    expect(await again.schemaVersion()).toBe(MIGRATIONS.at(-1)!.version);
    await again.close();
  });

  test('eight writer processes at once lose no run', async () => {
    const script = await writerScript();
    const ids = Array.from({ length: 8 }, (_, i) => `concurrent-${i}`);
    const outs = await Promise.all(ids.map((id) => runWriter(script, url, id)));
    expect(outs.every((o) => o.includes('added'))).toBe(true);
    const store = await openStore(url, repoRoot);
    try {
      const runs = (await store.listRuns()).filter((r) => r.runId.startsWith('concurrent-'));
      expect(runs.map((r) => [r.runId, r.metrics]).sort()).toEqual(ids.map((id) => [id, 150]).sort());
    } finally {
      await store.close();
    }
  });

  test('a writer SIGKILLed mid-transaction leaves no half run and keeps what was committed', async () => {
    const script = await writerScript();
    expect(await runWriter(script, url, 'pg-committed')).toContain('added');
    expect(await killWriterMidTransaction(script, url, 'pg-half')).toBe('SIGKILL');
    expect(await runWriter(script, url, 'pg-after')).toContain('added');
    const store = await openStore(url, repoRoot);
    try {
      const runs = (await store.listRuns()).filter((r) => r.runId.startsWith('pg-'));
      expect(runs.map((r) => [r.runId, r.metrics]).sort()).toEqual([
        ['pg-after', 150],
        ['pg-committed', 150],
      ]);
    } finally {
      await store.close();
    }
  });

  test('a run of more points than one statement takes (6,000 x 13 parameters > 65,535) is stored whole, in both backends alike', async () => {
    const points = Array.from({ length: 6000 }, (_, i) => ({
      scenario: i < 4000 ? 'big-a' : 'big-b', metric: `m.${String(i).padStart(4, '0')}`, unit: 'ns', better: 'lower' as const, gated: i % 100 === 0,
      tolerance: i % 100 === 0 ? 0.05 : null, n: 3, median: i, mean: i, min: i - 1, max: i + 1, stddev: 1, samples: i % 100 === 0 ? [i - 1, i, i + 1] : null,
      verdict: i % 100 === 0 ? 'pass' : null, verdictJson: null,
    }));
    const run = (runId: string) => ({ runId, startedAt: '2026-02-01T00:00:00.000Z', commit: null, commitTime: '2026-02-01T00:00:00.000Z', branch: null, machine: 'big', fingerprint: '{}', kdeltaVersion: 't', status: 'pass', reportPath: null, points });
    const dir = await mkdtemp(join(tmpdir(), 'kdelta-history-big-'));
    const stores = [await openStore(url, repoRoot), await openStore(join(dir, 'big.sqlite'), dir)];
    try {
      const read = [];
      for (const store of stores) {
        expect(await store.addRun(run('big-1'))).toBe('added');
        expect(await store.addRun(run('big-1'))).toBe('exists');
        expect((await store.listRuns({ machine: 'big' })).map((r) => r.metrics)).toEqual([6000]);
        read.push(await store.series({ machine: 'big' }));
      }
      expect(read[0]).toHaveLength(6000);
      expect(read[0]).toEqual(read[1]);
    } finally {
      for (const store of stores) await store.close();
    }
  });

  test('the same reports in SQLite and PostgreSQL give identical detect and export output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kdelta-history-pg-'));
    const paths: string[] = [];
    for (const r of nightlyReports(50, (i) => (i >= 20 ? 0.9e6 : 1e6) * (i >= 38 ? 1.12 : 1), 21)) {
      await mkdir(join(dir, r.runId), { recursive: true });
      await writeFile(join(dir, r.runId, 'report.json'), reportJsonText(r));
      paths.push(join(r.runId, 'report.json'));
    }
    const env = plainEnv({ KDELTA_STORE: '', KDELTA_COMMIT: '', GITHUB_SHA: '' });
    const both = async (argv: string[]) => {
      const lite = await runCli([...argv, '--store', join(dir, 'h.sqlite')], { cwd: dir, env });
      const post = await runCli([...argv, '--store', url], { cwd: dir, env });
      return { lite, post };
    };
    const added = await both(['history', 'add', ...paths]);
    expect([added.lite.code, added.post.code]).toEqual([0, 0]);
    const only = ['--scenario', 'alpha', '--scenario', 'beta<&>'];
    const detect = await both(['history', 'detect', '--json', '--window', '15', ...only]);
    expect(detect.post.stdout).toBe(detect.lite.stdout);
    expect(detect.post.code).toBe(detect.lite.code);
    expect(detect.lite.code).toBe(1);
    expect(JSON.parse(detect.lite.stdout).changes.length).toBeGreaterThanOrEqual(4);
    const csv = await both(['history', 'export', '--format', 'csv', ...only]);
    expect(csv.post.stdout).toBe(csv.lite.stdout);
  });
});
