import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { requireBuild } from '../cli/support.js';
import { copyAsRunner, loadJob, runJob, RUNNER_USER, setUpRunner, workspace, type JobContext, type JobState, type Runner, type Step, type StepRecord } from './harness.js';

/*
 * Each workflow's steps, run as a runner would run them (see harness.ts): kdelta itself runs
 * for real, as root through sudo from a non-root runner user; gh and GitHub's REST API are
 * stubbed. A short run of one scenario keeps it to seconds.
 */

const SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';
const QUICK = '--scenario syscall-mix --repetitions 3 --warmup 0';
const REPO_NAME = 'kdelta-org/kdelta';
let runner: Runner;

beforeAll(() => {
  // The workspace copies dist/: it must be the current code.
  requireBuild();
  runner = setUpRunner();
});
afterAll(() => runner?.cleanup());

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
}

const always = (): boolean => true;
const GATE_IF = "github.event.pull_request.head.repo.full_name == github.repository || contains(github.event.pull_request.labels.*.name, 'perf-approved')";

function prEvent(headRepo: string, labels: string[] = []) {
  return { pull_request: { number: 42, head: { sha: SHA, repo: { full_name: headRepo } }, labels: labels.map((name) => ({ name })) } };
}

function perfGate(name: string, args: string, mode: 'stored' | 'ab' = 'stored'): { records: StepRecord[]; ws: string; artifact: string } {
  const ws = join(runner.root, name);
  const artifact = join(runner.root, `${name}-artifact`);
  workspace(runner, name);
  // As on a runner (_work/<repo>/<repo>), the workspace's parent belongs to the runner user: A/B mode puts ../base there.
  if (mode === 'ab') execFileSync('chown', [`${runner.uid}:${runner.gid}`, dirname(ws)]);
  // The workspace's one commit stands for the pull request's base: an A/A comparison.
  const baseSha = execFileSync('sudo', ['-u', RUNNER_USER, 'git', 'rev-parse', 'HEAD'], { cwd: ws, encoding: 'utf8' }).trim();
  const event = prEvent(REPO_NAME);
  const ctx: JobContext = {
    runner,
    ws,
    event,
    env: { KDELTA_PERF_GATE_ARGS: args, ...(mode === 'ab' && { KDELTA_PERF_GATE_MODE: 'ab' }) },
    expressions: {
      'github.event.pull_request.number': '42',
      'github.event.pull_request.base.sha': baseSha,
      'github.event.pull_request.head.sha': SHA,
      'steps.gate.outputs.exit-code': (s: JobState) => s.steps['gate']?.outputs['exit-code'] ?? '',
    },
    conditions: {
      [GATE_IF]: () => event.pull_request.head.repo.full_name === REPO_NAME || event.pull_request.labels.some((l) => l.name === 'perf-approved'),
      'always()': always,
    },
    actions: {
      'actions/checkout@v4': () => 'success',
      'actions/setup-node@v4': () => 'success',
      'actions/upload-artifact@v4': (step: Step) => (copyAsRunner(join(ws, step.with!['path']!), artifact) ? 'success' : 'failure'),
    },
  };
  return { records: runJob('perf-gate.yml', 'gate', ctx)!, ws, artifact };
}


describe('perf-gate, run as the runner user', () => {
  let gate: ReturnType<typeof perfGate>;
  beforeAll(() => {
    gate = perfGate('gate-ok', QUICK);
  }, 300_000);

  test('measures for real and leaves comment.md and pr-number.txt owned by the runner user', () => {
    const measured = gate.records.find((r) => r.step.id === 'gate')!;
    expect(measured.stderr).toContain('kdelta: syscall-mix');
    for (const f of ['comment.md', 'pr-number.txt', 'report.json', 'junit.xml', 'summary.md']) {
      expect(statSync(join(gate.ws, 'reports/pr', f)).uid).toBe(runner.uid);
    }
    for (const f of filesUnder(join(gate.ws, 'reports'))) expect(statSync(f).uid, f).toBe(runner.uid);
  });

  test('uploads an artifact with the PR number, the head commit and the comment', () => {
    expect(gate.records.find((r) => r.step.uses === 'actions/upload-artifact@v4')?.outcome).toBe('success');
    expect(readFileSync(join(gate.artifact, 'pr-number.txt'), 'utf8')).toBe('42\n');
    expect(readFileSync(join(gate.artifact, 'head-sha.txt'), 'utf8')).toBe(`${SHA}\n`);
    expect(readFileSync(join(gate.artifact, 'comment.md'), 'utf8')).toContain('syscall-mix');
  });

  test('the verdict step passes on exit 0 and every step succeeded', () => {
    const code = gate.records.find((r) => r.step.id === 'gate');
    expect(code?.outcome).toBe('success');
    expect(gate.records.map((r) => r.outcome)).toEqual(gate.records.map(() => 'success'));
  });

  test('bad input fails the check with the reason and kdelta\'s words in the step summary, and the artifact still has the PR number', () => {
    const bad = perfGate('gate-bad', '--scenario no-such-scenario');
    const verdict = bad.records.find((r) => r.step.name === 'Verdict')!;
    expect(verdict.outcome).toBe('failure');
    expect(verdict.summary).toContain('perf-gate failed: kdelta exit 2');
    expect(verdict.summary).toContain('bad input');
    expect(verdict.summary).toContain('no scenario named no-such-scenario');
    expect(readFileSync(join(bad.artifact, 'pr-number.txt'), 'utf8')).toBe('42\n');
  }, 120_000);

  test('stored-baseline mode checks out no base', () => {
    const base = gate.records.find((r) => r.step.name?.startsWith('Check out and build'))!;
    expect(base.outcome).toBe('success');
    expect(base.stdout).toContain('stored-baseline mode: no base checkout');
  });

  test('a fork\'s pull request runs on the bare-metal runner only with the perf-approved label', () => {
    const job = loadJob('perf-gate.yml', 'gate');
    expect(job.if?.replace(/\s+/g, ' ').trim()).toBe(GATE_IF);
    const runs = (ev: ReturnType<typeof prEvent>) =>
      ev.pull_request.head.repo.full_name === REPO_NAME || ev.pull_request.labels.some((l) => l.name === 'perf-approved');
    expect(runs(prEvent('someone/fork'))).toBe(false);
    expect(runs(prEvent('someone/fork', ['perf-approved']))).toBe(true);
    const wf = readFileSync(join(__dirname, '../../.github/workflows/perf-gate.yml'), 'utf8');
    expect(wf).toMatch(/types: \[opened, synchronize, reopened, labeled\]/);
  });

  describe('perf-gate-comment, from that artifact', () => {
    interface Call { method: string; args: Record<string, unknown> }
    function comment(opts: { prNumber?: string; headSha?: string; commentMd?: string; conclusion?: string; comments?: Array<{ id: number; user: { login: string; type: string }; body: string }> }) {
      const ws = join(runner.root, `comment-${Math.random().toString(36).slice(2)}`);
      mkdirSync(ws);
      const calls: Call[] = [];
      const event = { workflow_run: { event: 'pull_request', conclusion: opts.conclusion ?? 'failure', head_sha: SHA, id: 7, html_url: 'https://github.com/x/runs/7' } };
      const github = {
        paginate: async (fn: (a: unknown) => Promise<{ data: unknown[] }>, args: unknown) => (await fn(args)).data,
        rest: {
          pulls: { get: async (args: Record<string, unknown>) => (calls.push({ method: 'pulls.get', args }), { data: { head: { sha: opts.headSha ?? SHA } } }) },
          issues: {
            listComments: async () => ({ data: opts.comments ?? [] }),
            updateComment: async (args: Record<string, unknown>) => void calls.push({ method: 'updateComment', args }),
            createComment: async (args: Record<string, unknown>) => void calls.push({ method: 'createComment', args }),
          },
        },
      };
      let error: unknown = null;
      const ctx: JobContext = {
        runner,
        ws,
        event,
        expressions: { 'github.event.workflow_run.id': '7', 'secrets.GITHUB_TOKEN': 'token' },
        conditions: {
          "github.event.workflow_run.event == 'pull_request' && github.event.workflow_run.conclusion != 'cancelled' && github.event.workflow_run.conclusion != 'skipped'":
            () => event.workflow_run.event === 'pull_request' && !['cancelled', 'skipped'].includes(event.workflow_run.conclusion),
        },
        actions: {
          'actions/download-artifact@v4': (step: Step) => {
            const to = join(ws, step.with!['path']!);
            cpSync(gate.artifact, to, { recursive: true });
            if (opts.prNumber !== undefined) writeFileSync(join(to, 'pr-number.txt'), opts.prNumber);
            if (opts.commentMd !== undefined) writeFileSync(join(to, 'comment.md'), opts.commentMd);
            return 'success';
          },
          'actions/github-script@v7': () => 'success',
        },
      };
      const job = loadJob('perf-gate-comment.yml', 'comment');
      const records = runJob('perf-gate-comment.yml', 'comment', ctx);
      const script = job.steps.find((s) => s.uses === 'actions/github-script@v7')!.with!['script']!;
      const run = async () => {
        if (records === null) return null;
        const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (...v: unknown[]) => Promise<void>;
        const cwd = process.cwd();
        process.chdir(ws);
        try {
          await new AsyncFunction('require', 'github', 'context', script)(createRequire(import.meta.url), github, { payload: event, repo: { owner: 'kdelta-org', repo: 'kdelta' } });
        } catch (e) {
          error = e;
        } finally {
          process.chdir(cwd);
        }
        return { calls, error };
      };
      return run();
    }

    const bot = { login: 'github-actions[bot]', type: 'Bot' };
    const human = { login: 'mallory', type: 'User' };

    test('edits its own sticky comment (marker and github-actions[bot]), not a look-alike by someone else', async () => {
      const r = await comment({
        comments: [
          { id: 1, user: human, body: '<!-- kdelta-perf-gate -->\nfake' },
          { id: 2, user: bot, body: '<!-- kdelta-perf-gate -->\nold' },
        ],
      });
      expect(r?.error).toBeNull();
      const update = r!.calls.find((c) => c.method === 'updateComment')!;
      expect(update.args['comment_id']).toBe(2);
      const body = update.args['body'] as string;
      expect(body.startsWith('<!-- kdelta-perf-gate -->\n')).toBe(true);
      expect(body).toContain(readFileSync(join(gate.artifact, 'comment.md'), 'utf8').split('\n')[0]);
      expect(r!.calls.find((c) => c.method === 'pulls.get')?.args['pull_number']).toBe(42);
    });

    test('creates a comment when it has none, even when someone else wrote the marker', async () => {
      const r = await comment({ comments: [{ id: 1, user: human, body: '<!-- kdelta-perf-gate -->\nfake' }] });
      expect(r!.calls.map((c) => c.method)).toEqual(['pulls.get', 'createComment']);
    });

    test('refuses a PR number that is not digits, or names a PR whose head is another commit', async () => {
      const notDigits = await comment({ prNumber: '42; rm -rf /' });
      expect(String(notDigits?.error)).toContain('does not hold a pull request number');
      const otherHead = await comment({ headSha: 'f'.repeat(40) });
      expect(String(otherHead?.error)).toContain('not at');
      expect(otherHead!.calls.map((c) => c.method)).toEqual(['pulls.get']);
    });

    test('caps the body and makes mentions and a second marker inert', async () => {
      const r = await comment({ commentMd: `hi @octocat <!-- kdelta-perf-gate -->\n${'x'.repeat(200_000)}` });
      const body = r!.calls.find((c) => c.method === 'createComment')!.args['body'] as string;
      expect(body.length).toBeLessThanOrEqual(65_000);
      expect(body).not.toMatch(/@octocat/);
      expect(body.match(/<!-- kdelta-perf-gate/g)).toHaveLength(1);
      expect(body).toContain('Cut to fit a comment');
    });

    test('skips a cancelled run', async () => {
      expect(await comment({ conclusion: 'cancelled' })).toBeNull();
    });
  });
});

describe('ci.yml on this machine, as the runner user', () => {
  test('every step passes: validate, doctor, a real conformance run, and the test command through sudo', () => {
    const ws = join(runner.root, 'ci');
    workspace(runner, 'ci');
    const records = runJob('ci.yml', 'test', {
      runner,
      ws,
      event: {},
      expressions: {},
      conditions: { 'always()': () => true },
      actions: { 'actions/checkout@v4': () => 'success', 'actions/setup-node@v4': () => 'success', 'actions/upload-artifact@v4': () => 'success' },
    })!;
    const failed = records.filter((r) => r.outcome !== 'success').map((r) => `${r.step.name}: ${r.stderr.slice(-2000)}`);
    expect(failed).toEqual([]);
    expect(records.find((r) => r.step.name === 'Tests (as root)')!.stderr).toContain('npm (stub): test');
    expect(records.find((r) => r.step.name?.startsWith('Scenarios validate'))?.stdout).toMatch(/scenarios? valid/);
  }, 300_000);
});

describe('perf-gate in A/B mode, run as the runner user', () => {
  // Five rounds: the signed-rank test cannot reach p < 0.05 in five, so this A/A run passes whatever the noise.
  let ab: ReturnType<typeof perfGate>;
  beforeAll(() => {
    ab = perfGate('gate-ab/kdelta', '--scenario syscall-mix --rounds 5:5 --warmup 0', 'ab');
  }, 300_000);

  test('checks the base commit out into a second worktree beside the workspace', () => {
    const base = ab.records.find((r) => r.step.name?.startsWith('Check out and build'))!;
    expect(base.outcome, base.stdout + base.stderr).toBe('success');
    expect(readFileSync(join(ab.ws, '..', 'base', 'scenarios', 'syscall-mix.yaml'), 'utf8')).toContain('name: syscall-mix');
  });

  test('measures both sides with kdelta ab and records them in report.json', () => {
    const measured = ab.records.find((r) => r.step.id === 'gate')!;
    expect(measured.stderr).toContain('syscall-mix');
    const report = JSON.parse(readFileSync(join(ab.ws, 'reports/pr/report.json'), 'utf8'));
    expect(report.ab.sides.base.dir).toBe(join(ab.ws, '..', 'base'));
    expect(report.ab.sides.head.dir).toBe(ab.ws);
    expect(report.ab.scenarios[0]).toMatchObject({ name: 'syscall-mix', state: 'paired', rounds: 5 });
  });

  test('hands every report back to the runner user and uploads comment.md with the PR number', () => {
    for (const f of filesUnder(join(ab.ws, 'reports'))) expect(statSync(f).uid, f).toBe(runner.uid);
    expect(readFileSync(join(ab.artifact, 'pr-number.txt'), 'utf8')).toBe('42\n');
    const comment = readFileSync(join(ab.artifact, 'comment.md'), 'utf8');
    expect(comment).toContain('syscall-mix');
    expect(comment).toContain('vs base');
  });

  test('gates on kdelta ab\'s exit code: every step succeeded on an A/A run', () => {
    expect(ab.records.map((r) => [r.step.name ?? r.step.uses, r.outcome])).toEqual(ab.records.map((r) => [r.step.name ?? r.step.uses, 'success']));
  });
});
