import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { requireBuild } from '../cli/support.js';
import { copyAsRunner, runJob, setUpRunner, workspace, type Runner, type Step, type StepRecord } from './harness.js';

/*
 * perf-sharded.yml run as a runner would run it (see harness.ts): each job of the matrix in
 * its own workspace, measuring for real as root through sudo, its artifact copied as the runner
 * user; then the merge job downloads them all. Three quick scenarios that fall one in each
 * shard, on a machine class with no baselines, so the verdict does not depend on the load.
 */

const ARGS = '--scenario syscall-mix --scenario hackbench-pipe --scenario hackbench-socket --repetitions 3 --warmup 0 --machine wf-shard';
let runner: Runner;
const shards: Array<{ records: StepRecord[]; ws: string; artifact: string }> = [];
let merge: { records: StepRecord[]; ws: string };

beforeAll(() => {
  requireBuild();
  runner = setUpRunner();
  for (const i of [1, 2, 3]) {
    const ws = join(runner.root, `shard-${i}`);
    workspace(runner, `shard-${i}`);
    const artifact = join(runner.root, `kdelta-shard-${i}`);
    const records = runJob('perf-sharded.yml', 'shard', {
      runner,
      ws,
      event: {},
      env: { KDELTA_SHARD_ARGS: ARGS },
      expressions: { 'matrix.shard': String(i) },
      conditions: {},
      actions: {
        'actions/checkout@v4': () => 'success',
        'actions/setup-node@v4': () => 'success',
        'actions/upload-artifact@v4': (step: Step) => (copyAsRunner(join(ws, step.with!['path']!.replace('${{ matrix.shard }}', String(i))), artifact) ? 'success' : 'failure'),
      },
    })!;
    shards.push({ records, ws, artifact });
  }
  const ws = join(runner.root, 'merge');
  workspace(runner, 'merge');
  const records = runJob('perf-sharded.yml', 'merge', {
    runner,
    ws,
    event: {},
    expressions: {},
    conditions: { 'always()': () => true },
    actions: {
      'actions/checkout@v4': () => 'success',
      'actions/setup-node@v4': () => 'success',
      // download-artifact with a pattern: one folder per artifact, named after it.
      'actions/download-artifact@v4': (step: Step) => {
        for (const s of shards) cpSync(s.artifact, join(ws, step.with!['path']!, s.artifact.split('/').pop()!), { recursive: true });
        return 'success';
      },
      'actions/upload-artifact@v4': () => 'success',
    },
  })!;
  merge = { records, ws };
}, 600_000);
afterAll(() => runner?.cleanup());

describe('perf-sharded.yml, as the runner user', () => {
  test('each shard runs only its share and uploads a report the runner user owns', () => {
    const ran = shards.map((s) => {
      const failed = s.records.filter((r) => r.outcome !== 'success').map((r) => `${r.step.name ?? r.step.uses}: ${r.stderr.slice(-1500)}`);
      expect(failed).toEqual([]);
      for (const f of readdirSync(join(s.ws, 'reports'), { recursive: true, encoding: 'utf8' })) expect(statSync(join(s.ws, 'reports', f)).uid, f).toBe(runner.uid);
      const report = JSON.parse(readFileSync(join(s.artifact, 'report.json'), 'utf8')) as { scenarios: Array<{ name: string }> };
      return report.scenarios.map((x) => x.name);
    });
    expect(ran).toEqual([['hackbench-pipe'], ['hackbench-socket'], ['syscall-mix']]);
  });

  test('the merge job gives one report of every shard, its summary in the step summary, and kdelta merge\'s exit code', () => {
    const step = merge.records.find((r) => r.step.name?.startsWith('Merge the shards'))!;
    expect(step.outcome, step.stderr).toBe('success');
    const merged = JSON.parse(readFileSync(join(merge.ws, 'reports/merged/report.json'), 'utf8')) as { status: string; scenarios: Array<{ name: string }> };
    expect(merged.scenarios.map((s) => s.name).sort()).toEqual(['hackbench-pipe', 'hackbench-socket', 'syscall-mix']);
    expect(merged.status).toBe('pass');
    expect(step.summary).toContain('syscall-mix');
    expect(step.summary).toContain('hackbench-socket');
  });
});
