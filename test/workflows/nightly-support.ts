import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyAsRunner, runJob, RUNNER_USER, workspace, type JobState, type Runner, type Step, type StepRecord } from './harness.js';

/* nightly.yml's job run as a runner would run it (see harness.ts), for the tests of its parts. */

export const QUICK = '--scenario syscall-mix --repetitions 5 --warmup 0';
export const REPO_NAME = 'kdelta-org/kdelta';
export const DATA_BRANCH = 'kdelta-data';

export interface NightlyOptions {
  setUp?: (ws: string) => void;
  /** The KDELTA_STORE secret: empty means the SQLite file on the data branch. */
  storeSecret?: string;
  env?: Record<string, string>;
}

export interface Nightly {
  records: StepRecord[];
  ws: string;
  origin: string;
  /** Where each uses: step's upload went, by the artifact's name. */
  artifacts: Record<string, string>;
}

const output = (id: string, key: string) => (s: JobState) => s.steps[id]?.outputs[key] ?? '';

export function runNightly(runner: Runner, name: string, o: NightlyOptions = {}): Nightly {
  const ws = join(runner.root, name);
  workspace(runner, name);
  o.setUp?.(ws);
  const artifacts: Record<string, string> = {};
  const upload = (step: Step) => {
    // `kdelta-nightly-${{ github.run_id }}` -> kdelta-nightly; the Pages artifact is github-pages.
    const key = step.uses === 'actions/upload-pages-artifact@v3' ? 'github-pages' : (step.with?.['name'] ?? '').replace(/-\$\{\{.*$/, '');
    const to = join(runner.root, `${name}-artifact-${key}`);
    artifacts[key] = to;
    return copyAsRunner(join(ws, step.with!['path']!), to) ? 'success' : 'failure';
  };
  const records = runJob('nightly.yml', 'nightly', {
    runner,
    ws,
    event: {},
    env: { KDELTA_NIGHTLY_ARGS: QUICK, KDELTA_MACHINE: 'wf-test', ...o.env },
    expressions: {
      'github.run_id': '99',
      'github.server_url': 'https://github.com',
      'github.repository': REPO_NAME,
      'secrets.KDELTA_PR_TOKEN || secrets.GITHUB_TOKEN': 'token',
      'secrets.GITHUB_TOKEN': 'token',
      "secrets.KDELTA_PR_TOKEN != ''": 'false',
      'secrets.KDELTA_STORE': o.storeSecret ?? '',
      'steps.moved.outputs.count': output('moved', 'count'),
      'steps.store.outputs.sqlite': output('store', 'sqlite'),
      'steps.store.outputs.old': output('store', 'old'),
    },
    conditions: {
      'always()': () => true,
      // An `if:` with no status function is `success() && ...` on GitHub.
      "steps.moved.outputs.count != '0'": (s) => !s.failed && output('moved', 'count')(s) !== '0',
      "steps.store.outputs.kind == 'sqlite'": (s) => !s.failed && output('store', 'kind')(s) === 'sqlite',
      "steps.pages.outputs.on == 'true'": (s) => !s.failed && output('pages', 'on')(s) === 'true',
      "steps.pages.outputs.on != 'true'": (s) => !s.failed && output('pages', 'on')(s) !== 'true',
      "steps.detect.outputs.exit-code == '1'": (s) => !s.failed && output('detect', 'exit-code')(s) === '1',
    },
    actions: {
      'actions/checkout@v4': () => 'success',
      'actions/setup-node@v4': () => 'success',
      'actions/upload-artifact@v4': upload,
      'actions/upload-pages-artifact@v3': upload,
    },
  })!;
  return { records, ws, origin: join(runner.root, `${name}-origin.git`), artifacts };
}

export const stepOf = (n: Nightly, name: string): StepRecord => {
  const r = n.records.find((x) => x.step.name === name || x.step.id === name);
  if (!r) throw new Error(`nightly has no step ${name}`);
  return r;
};

/** Every gh call so far, in order, with its --body-file copy when it had one. */
export function ghCalls(runner: Runner): Array<{ args: string[]; body: string | null }> {
  const files = readdirSync(runner.ghLog).filter((f) => f.endsWith('.args'));
  files.sort((a, b) => Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, '')));
  return files.map((f) => {
    const body = join(runner.ghLog, f.replace('.args', '.body'));
    return { args: readFileSync(join(runner.ghLog, f), 'utf8').split('\n').slice(0, -1), body: existsSync(body) ? readFileSync(body, 'utf8') : null };
  });
}

export function clearGhLog(runner: Runner): void {
  for (const f of readdirSync(runner.ghLog)) execFileSync('rm', ['-f', join(runner.ghLog, f)]);
  writeFileSync(join(runner.root, 'gh-issues.json'), '[]');
}

/** Runs git as the runner user (who owns the workspaces and origins). */
export function gitAsRunner(cwd: string, args: string[]): string {
  return execFileSync('sudo', ['-u', RUNNER_USER, 'git', ...args], { cwd, encoding: 'utf8' });
}

/** Commits `files` (name -> path on disk) as `message` on top of `parent` in a bare repository, as root; returns the commit. */
export function commitFiles(gitDir: string, files: Record<string, string>, message: string, parent?: string): string {
  const git = (args: string[], input?: string) => execFileSync('git', [`--git-dir=${gitDir}`, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8', ...(input !== undefined && { input }) }).trim();
  const entries = Object.entries(files).map(([n, p]) => `100644 blob ${git(['hash-object', '-w', p])}\t${n}\n`).join('');
  const tree = git(['mktree'], entries);
  return git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message]);
}
