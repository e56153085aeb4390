import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { openStore } from '../../src/history/open.js';
import { reportJsonText } from '../../src/report/write.js';
import { repoRoot, requireBuild } from '../cli/support.js';
import { nightlyReports } from '../history/support.js';
import { setUpRunner, type Runner } from './harness.js';
import { clearGhLog, commitFiles, DATA_BRANCH, ghCalls, gitAsRunner, runNightly, stepOf } from './nightly-support.js';

/*
 * nightly.yml's history part, run as a runner would run it (see harness.ts): the run is added
 * to a real store (SQLite on the data branch of the workspace's origin, or a real PostgreSQL),
 * detect and the dashboard run on it, and gh (stubbed) is asked for issues.
 */

let runner: Runner;
beforeAll(() => {
  requireBuild();
  runner = setUpRunner();
});
afterAll(() => runner?.cleanup());
beforeEach(() => clearGhLog(runner));

/** 30 synthetic nights of alpha and beta<&> whose wall time steps up 20% at night 25: two regression change points within the last 5. */
function seededStore(): { path: string; keys: Record<string, string> } {
  const dir = mkdtempSync(join(tmpdir(), 'kdelta-wf-seed-'));
  const paths: string[] = [];
  for (const r of nightlyReports(30, (i) => (i >= 25 ? 1.2e6 : 1e6), 3)) {
    mkdirSync(join(dir, r.runId));
    writeFileSync(join(dir, r.runId, 'report.json'), reportJsonText(r));
    paths.push(join(dir, r.runId, 'report.json'));
  }
  const path = join(dir, 'history.sqlite');
  const kdelta = (args: string[]) => execFileSync('node', [join(repoRoot, 'bin/kdelta.js'), ...args], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });
  kdelta(['history', 'add', ...paths, '--store', path]);
  try {
    kdelta(['history', 'detect', '--store', path, '--window', '5', '--metric', 'workload.wall_time', '--issues', join(dir, 'issues')]);
    throw new Error('the seeded history should hold regression change points (exit 1)');
  } catch (err) {
    if ((err as { status?: number }).status !== 1) throw err;
  }
  const keys: Record<string, string> = {};
  for (const f of readdirSync(join(dir, 'issues')).filter((n) => n.endsWith('.title'))) {
    const title = readFileSync(join(dir, 'issues', f), 'utf8');
    keys[title.includes('beta') ? 'beta' : 'alpha'] = f.replace('.title', '');
  }
  return { path, keys };
}

/** The origin's data branch: an old night, then the seeded store as last night's; returns last night's commit. */
function seedDataBranch(origin: string, store: string): string {
  const first = commitFiles(origin, { 'history.sqlite': join(repoRoot, 'package.json') }, 'history: an old night');
  const tip = commitFiles(origin, { 'history.sqlite': store }, 'history: last night', first);
  execFileSync('git', [`--git-dir=${origin}`, 'update-ref', `refs/heads/${DATA_BRANCH}`, tip]);
  execFileSync('chown', ['-R', `${runner.uid}:${runner.gid}`, origin]);
  return tip;
}

describe('nightly.yml keeps the history, finds change points and files issues', () => {
  test('SQLite on the data branch: one issue updated, one opened, escaped and sized; the branch stays bounded; the dashboard goes to Pages', () => {
    const seed = seededStore();
    expect(Object.keys(seed.keys).sort()).toEqual(['alpha', 'beta']);
    // The issue of alpha's change point exists already (opened last night); another issue of ours is about something else.
    writeFileSync(join(runner.root, 'gh-issues.json'), JSON.stringify([
      { number: 8, state: 'OPEN', body: `<!-- kdelta-change-point:${'f'.repeat(16)} -->\nother` },
      { number: 7, state: 'OPEN', body: `<!-- kdelta-change-point:${seed.keys['alpha']} -->\nlast night's text` },
    ]));
    let seedTip = '';
    const n = runNightly(runner, 'nightly-history', {
      env: { KDELTA_DATA_KEEP: '2', KDELTA_PAGES: 'true' },
      setUp: (ws) => {
        seedTip = seedDataBranch(`${ws}-origin.git`, seed.path);
      },
    });
    const failed = n.records.filter((r) => r.outcome === 'failure').map((r) => `${r.step.name}: ${r.stderr.slice(-1500)}`);
    expect(failed).toEqual([]);
    const detect = stepOf(n, 'detect');
    expect(detect.outputs?.['exit-code']).toBe('1');
    expect(detect.summary).toMatch(/alpha workload\.wall_time: \+\d+\.\d% .*REGRESSION/);

    const calls = ghCalls(runner);
    expect(calls.map((c) => c.args.slice(0, 2).join(' '))).toEqual(['label create', 'issue list', ...Array(2).fill(expect.stringMatching(/^issue (edit|create)$/))]);
    const edit = calls.find((c) => c.args[0] === 'issue' && c.args[1] === 'edit')!;
    expect(edit.args[2]).toBe('7');
    expect(edit.body!.startsWith(`<!-- kdelta-change-point:${seed.keys['alpha']} -->\n`)).toBe(true);
    expect(edit.body).toContain('Seen in nightly run [99](https://github.com/kdelta-org/kdelta/actions/runs/99).');
    const create = calls.find((c) => c.args[0] === 'issue' && c.args[1] === 'create')!;
    expect(create.args[create.args.indexOf('--title') + 1]).toMatch(/^Regression change point: beta<&> workload\.wall_time \+\d+\.\d% on /);
    expect(create.args[create.args.indexOf('--label') + 1]).toBe('kdelta-change-point');
    expect(create.body!.startsWith(`<!-- kdelta-change-point:${seed.keys['beta']} -->\n`)).toBe(true);
    expect(create.body).toContain('beta&lt;&amp;&gt;');
    expect(create.body).not.toContain('beta<&>');
    for (const c of [edit, create]) expect(c.body!.length).toBeLessThanOrEqual(65_536);

    // The data branch: tonight's file on top of last night's, and no more than KDELTA_DATA_KEEP=2 commits.
    const log = gitAsRunner(n.ws, ['log', '--format=%s', `origin/${DATA_BRANCH}`, '--']).trim().split('\n');
    expect(log).toEqual(['history: nightly 99', 'history: last night']);
    const parentTree = gitAsRunner(n.ws, ['rev-parse', `origin/${DATA_BRANCH}~1^{tree}`]).trim();
    expect(parentTree).toBe(execFileSync('git', [`--git-dir=${n.origin}`, 'rev-parse', `${seedTip}^{tree}`], { encoding: 'utf8' }).trim());
    const tonight = join(mkdtempSync(join(tmpdir(), 'kdelta-wf-tonight-')), 'history.sqlite');
    writeFileSync(tonight, execFileSync('git', [`--git-dir=${n.origin}`, 'show', `${DATA_BRANCH}:history.sqlite`]));
    return (async () => {
      const store = await openStore(tonight, repoRoot);
      const runs = await store.listRuns();
      await store.close();
      expect(runs).toHaveLength(31);
      const mine = runs.find((r) => r.machine === 'wf-test')!;
      expect(mine.commit).toBe(gitAsRunner(n.ws, ['rev-parse', 'main']).trim());
      expect(mine.reportPath).toBe('https://github.com/kdelta-org/kdelta/actions/runs/99');

      // Pages on: the site goes up as the Pages artifact, with a page per scenario and the change point drawn.
      expect(stepOf(n, 'pages').outputs?.['on']).toBe('true');
      const site = n.artifacts['github-pages']!;
      expect(readdirSync(site).sort()).toEqual(expect.arrayContaining(['alpha.html', 'index.html', 'syscall-mix.html']));
      expect(readFileSync(join(site, 'alpha.html'), 'utf8')).toContain('class="cp-bad"');
      expect(n.artifacts['kdelta-dashboard']).toBeUndefined();
    })();
  }, 300_000);

  test('an issue a maintainer closed is left closed, and a change point with none gets one', () => {
    const seed = seededStore();
    writeFileSync(join(runner.root, 'gh-issues.json'), JSON.stringify([{ number: 9, state: 'CLOSED', body: `<!-- kdelta-change-point:${seed.keys['beta']} -->\nseen to` }]));
    const n = runNightly(runner, 'nightly-closed', { setUp: (ws) => void seedDataBranch(`${ws}-origin.git`, seed.path) });
    const filed = stepOf(n, 'Open or update an issue per regression change point');
    expect(filed.outcome, filed.stderr).toBe('success');
    expect(filed.stdout).toContain(`issue #9 for ${seed.keys['beta']} is closed; left as it is`);
    const issues = ghCalls(runner).filter((c) => c.args[0] === 'issue' && c.args[1] !== 'list');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.args[1]).toBe('create');
    expect(issues[0]!.body!.startsWith(`<!-- kdelta-change-point:${seed.keys['alpha']} -->`)).toBe(true);
  }, 300_000);

  test('detect exiting other than 0 or 1 (here 2, a bad --window) fails the job with the code in the summary, and nothing is kept or filed', () => {
    const n = runNightly(runner, 'nightly-detect-bad', { env: { KDELTA_DETECT_WINDOW: '0' } });
    const detect = stepOf(n, 'detect');
    expect(detect.outcome).toBe('failure');
    expect(detect.outputs?.['exit-code']).toBe('2');
    expect(detect.summary).toContain('### nightly: kdelta history detect exited 2');
    for (const name of ['Keep the history on the data branch', 'Open or update an issue per regression change point', 'Propose baseline updates']) expect(stepOf(n, name).outcome, name).toBe('skipped');
    expect(gitAsRunner(n.ws, ['ls-remote', 'origin'])).not.toContain(DATA_BRANCH);
    expect(ghCalls(runner)).toEqual([]);
  }, 300_000);

  describe('with the KDELTA_STORE secret', () => {
    const admin = process.env['KDELTA_TEST_PG'];
    let dbName = '';
    let url = '';
    beforeAll(async () => {
      if (!admin) throw new Error('KDELTA_TEST_PG is not set: start PostgreSQL and export it, as .ci/run does');
      dbName = `kdelta_wf_${randomBytes(6).toString('hex')}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`);
      await c.end();
      const u = new URL(admin);
      u.pathname = `/${dbName}`;
      url = u.toString();
    });
    afterAll(async () => {
      if (!admin || !dbName) return;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`);
      await c.end();
    });

    test('the run goes to PostgreSQL and no data branch is written', async () => {
      const n = runNightly(runner, 'nightly-pg', { storeSecret: url });
      const failed = n.records.filter((r) => r.outcome === 'failure').map((r) => `${r.step.name}: ${r.stderr.slice(-1500)}`);
      expect(failed).toEqual([]);
      expect(stepOf(n, 'store').outputs?.['kind']).toBe('postgres');
      expect(stepOf(n, 'Keep the history on the data branch').outcome).toBe('skipped');
      expect(gitAsRunner(n.ws, ['ls-remote', 'origin'])).not.toContain(DATA_BRANCH);
      const store = await openStore(url, repoRoot);
      const runs = await store.listRuns();
      await store.close();
      expect(runs.map((r) => r.machine)).toEqual(['wf-test']);
      expect(existsSync(join(n.artifacts['kdelta-dashboard']!, 'syscall-mix.html'))).toBe(true);
    }, 300_000);

    test('a store it cannot reach fails the job (exit 3) before anything is proposed or filed', () => {
      const n = runNightly(runner, 'nightly-pg-down', { storeSecret: 'postgres://kdelta:kdelta@127.0.0.1:1/nowhere' });
      const add = stepOf(n, 'detect');
      expect(add.outcome).toBe('failure');
      expect(add.stderr).toContain('cannot connect to the history store');
      expect(add.stderr).not.toContain('kdelta:kdelta@');
      expect(stepOf(n, 'Propose baseline updates').outcome).toBe('skipped');
      expect(ghCalls(runner)).toEqual([]);
    }, 300_000);
  });
});
