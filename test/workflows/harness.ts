import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

/*
 * Runs a workflow job's steps the way a GitHub runner would, on this machine: `run:` steps as
 * a non-root runner user with passwordless sudo, in bash -eo pipefail, with the files a runner
 * gives a step ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY, $GITHUB_EVENT_PATH, $RUNNER_TEMP). The
 * `${{ }}` expressions and `if:` conditions the workflows use are listed by the test with their
 * values; one that is not listed fails the test, so a new expression cannot go unchecked.
 * `uses:` steps are played by the test (checkout: the workspace is a copy of the repository;
 * artifacts: copied as the runner user, so an unreadable file fails the upload as on GitHub).
 * Only GitHub's own services (gh, the REST API) and package installation are stubbed.
 */

export const RUNNER_USER = 'kdelta-runner';
const SUDO_STUBS = '/var/tmp/kdelta-workflow-sudo-stubs';
const REPO = resolve(__dirname, '../..');

export interface Runner {
  uid: number;
  gid: number;
  root: string;
  stubs: string;
  ghLog: string;
  cleanup(): void;
}

/** The runner user (created when missing), its sudo rule, and stub commands for gh, apt-get and npm. */
export function setUpRunner(): Runner {
  // Test files run at once: a second useradd losing the race is fine if the user now exists.
  if (spawnSync('id', ['-u', RUNNER_USER]).status !== 0 && spawnSync('useradd', ['--create-home', '--shell', '/bin/bash', RUNNER_USER]).status !== 0) {
    execFileSync('id', ['-u', RUNNER_USER]);
  }
  const uid = Number(execFileSync('id', ['-u', RUNNER_USER], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', RUNNER_USER], { encoding: 'utf8' }).trim());
  const root = mkdtempSync(join(tmpdir(), 'kdelta-wf-'));
  // One rule file per runner (sudo skips names with a dot), so one test file's clean-up leaves another's rule alone.
  const sudoers = `/etc/sudoers.d/kdelta-workflow-test-${root.split('-').pop()!.replace(/[^A-Za-z0-9]/g, '')}`;
  chmodSync(root, 0o755);
  const stubs = join(root, 'stubs');
  mkdirSync(stubs);
  const ghLog = join(root, 'gh-log');
  mkdirSync(ghLog, { mode: 0o777 });
  chmodSync(ghLog, 0o777);
  const stub = (name: string, body: string) => {
    writeFileSync(join(stubs, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  };
  // gh: records its arguments, keeps a copy of any --body-file; `gh pr view` finds no PR;
  // `gh issue list` answers with the test's gh-issues.json (none when the test wrote none).
  stub(
    'gh',
    `n=$(ls "${ghLog}" | wc -l); printf '%s\\n' "$@" > "${ghLog}/call-$n.args"
prev=""; for a in "$@"; do if [ "$prev" = --body-file ]; then cp "$a" "${ghLog}/call-$n.body"; fi; prev="$a"; done
[ "$1 $2" = "pr view" ] && exit 1
if [ "$1 $2" = "issue list" ]; then cat "${root}/gh-issues.json" 2>/dev/null || echo '[]'; fi
exit 0`,
  );
  // Installation is the machine's business here: these packages and node_modules are in place.
  stub('apt-get', `echo "apt-get (stub): $*" >&2`);
  stub('npm', `echo "npm (stub): $*" >&2`);
  // sudo reads one secure_path for the user whatever the rule file, so it names a folder all
  // runners share (same stubs); the rule is written before the folder, so a clean-up that finds
  // no other rule knows no runner still needs it.
  const rule = `Defaults:${RUNNER_USER} secure_path="${SUDO_STUBS}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"\n${RUNNER_USER} ALL=(ALL) NOPASSWD:SETENV: ALL\n`;
  writeFileSync(sudoers, rule, { mode: 0o440 });
  execFileSync('visudo', ['-cf', sudoers]);
  mkdirSync(SUDO_STUBS, { recursive: true });
  for (const name of ['apt-get', 'npm']) copyFileSync(join(stubs, name), join(SUDO_STUBS, name));
  return {
    uid,
    gid,
    root,
    stubs,
    ghLog,
    cleanup() {
      rmSync(sudoers, { force: true });
      if (!readdirSync('/etc/sudoers.d').some((f) => f.startsWith('kdelta-workflow-test-'))) rmSync(SUDO_STUBS, { recursive: true, force: true });
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A copy of the repository as checkout would leave it (built, with a bare `origin` to push to), owned by the runner user. */
export function workspace(runner: Runner, name: string): string {
  const ws = join(runner.root, name);
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], { cwd: REPO, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const f of files) {
    if (!existsSync(join(REPO, f))) continue;
    mkdirSync(dirname(join(ws, f)), { recursive: true });
    copyFileSync(join(REPO, f), join(ws, f));
  }
  for (const dir of ['dist', 'helpers/bin']) cpSync(join(REPO, dir), join(ws, dir), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(ws, 'node_modules'));
  const origin = join(runner.root, `${name}-origin.git`);
  const git = (args: string[], cwd: string) => execFileSync('git', args, { cwd, stdio: 'pipe' });
  git(['init', '-q', '-b', 'main'], ws);
  git(['add', '-A'], ws);
  git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'checkout'], ws);
  git(['init', '-q', '--bare', origin], runner.root);
  git(['remote', 'add', 'origin', origin], ws);
  git(['push', '-q', 'origin', 'main'], ws);
  execFileSync('chown', ['-R', '-h', `${runner.uid}:${runner.gid}`, ws, origin]);
  return ws;
}

export interface JobState {
  steps: Record<string, { outputs: Record<string, string>; outcome: 'success' | 'failure' | 'skipped' }>;
  failed: boolean;
}

export type Value = string | ((state: JobState) => string);

export interface JobContext {
  runner: Runner;
  ws: string;
  event: unknown;
  /** Every `${{ }}` expression the job uses, by its text. */
  expressions: Record<string, Value>;
  /** Every `if:` the job uses, by its text. */
  conditions: Record<string, (state: JobState) => boolean>;
  /** `uses:` steps by action (`actions/upload-artifact@v4`). */
  actions: Record<string, (step: Step, state: JobState) => 'success' | 'failure'>;
  env?: Record<string, string>;
}

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
  'continue-on-error'?: boolean;
}

export interface StepRecord {
  step: Step;
  outcome: 'success' | 'failure' | 'skipped';
  stdout: string;
  stderr: string;
  summary: string;
  /** What the step wrote to $GITHUB_OUTPUT (run: steps only). */
  outputs?: Record<string, string>;
}

export function loadJob(file: string, job: string): { if?: string; steps: Step[] } {
  const wf = parse(readFileSync(join(REPO, '.github/workflows', file), 'utf8')) as { jobs: Record<string, { if?: string; steps: Step[] }> };
  const j = wf.jobs[job];
  if (!j) throw new Error(`${file} has no job ${job}`);
  return j;
}

export function substitute(text: string, ctx: JobContext, state: JobState): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/gs, (_, expr: string) => {
    const v = ctx.expressions[expr];
    if (v === undefined) throw new Error(`the test gives no value for the expression \${{ ${expr} }}`);
    return typeof v === 'function' ? v(state) : v;
  });
}

export function condition(expr: string | undefined, ctx: JobContext, state: JobState): boolean {
  if (expr === undefined) return !state.failed;
  const c = ctx.conditions[expr.trim()];
  if (!c) throw new Error(`the test gives no value for the condition: ${expr}`);
  return c(state);
}

function runStep(step: Step, ctx: JobContext, state: JobState, index: number, runnerTemp: string): StepRecord {
  const dir = join(ctx.runner.root, `${ctx.ws.split('/').pop()}-step-${index}`);
  mkdirSync(dir);
  const files = { output: join(dir, 'output'), summary: join(dir, 'summary'), event: join(dir, 'event.json'), script: join(dir, 'script.sh') };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(ctx.event));
  writeFileSync(files.script, substitute(step.run!, ctx, state));
  execFileSync('chown', ['-R', `${ctx.runner.uid}:${ctx.runner.gid}`, dir]);
  const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, substitute(String(v), ctx, state)]));
  const env = {
    HOME: `/home/${RUNNER_USER}`,
    USER: RUNNER_USER,
    PATH: `${ctx.runner.stubs}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`,
    LANG: 'C.UTF-8',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ctx.ws,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    RUNNER_TEMP: runnerTemp,
    ...ctx.env,
    ...stepEnv,
  };
  const r = spawnSync('sudo', ['-u', RUNNER_USER, 'env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), 'bash', '--noprofile', '--norc', '-eo', 'pipefail', files.script], {
    cwd: ctx.ws,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(files.output, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const outcome = r.status === 0 ? 'success' : 'failure';
  if (step.id) state.steps[step.id] = { outputs, outcome };
  return { step, outcome, stdout: r.stdout, stderr: r.stderr, summary: readFileSync(files.summary, 'utf8'), outputs };
}

/** Runs the job's steps in order; null when the job's own `if:` is false. */
export function runJob(file: string, job: string, ctx: JobContext): StepRecord[] | null {
  const j = loadJob(file, job);
  const state: JobState = { steps: {}, failed: false };
  if (j.if !== undefined && !condition(j.if, ctx, state)) return null;
  // One temporary folder for the whole job, as on GitHub.
  const runnerTemp = join(ctx.runner.root, `${ctx.ws.split('/').pop()}-runner-temp`);
  mkdirSync(runnerTemp);
  execFileSync('chown', [`${ctx.runner.uid}:${ctx.runner.gid}`, runnerTemp]);
  return j.steps.map((step, i) => {
    if (!condition(step.if, ctx, state)) {
      if (step.id) state.steps[step.id] = { outputs: {}, outcome: 'skipped' };
      return { step, outcome: 'skipped' as const, stdout: '', stderr: '', summary: '' };
    }
    let record: StepRecord;
    if (step.uses !== undefined) {
      const act = ctx.actions[step.uses];
      if (!act) throw new Error(`the test does not play the action ${step.uses}`);
      record = { step, outcome: act(step, state), stdout: '', stderr: '', summary: '' };
    } else record = runStep(step, ctx, state, i, runnerTemp);
    if (record.outcome === 'failure' && !step['continue-on-error']) state.failed = true;
    return record;
  });
}

/** Copies a folder as the runner user would read it (tar as that user): fails on a file it cannot read. */
export function copyAsRunner(from: string, to: string): boolean {
  mkdirSync(to, { recursive: true });
  const r = spawnSync('bash', ['-c', `sudo -u ${RUNNER_USER} tar -C "$1" -cf - . | tar -C "$2" -xf -`, '_', from, to], { encoding: 'utf8' });
  return r.status === 0 && r.stderr === '';
}
