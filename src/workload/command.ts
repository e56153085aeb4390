import { stat } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { killCgroup } from '../kernel/cgroup.js';
import type { WorkloadMetricSpec } from '../scenario/types.js';
import { workloadFiguresFromStdout } from './figures.js';
import { killEscaped, REPETITION_MARK } from './escaped.js';
import { BoundedOutput, textTail } from './output.js';
import type { RunContext, WorkloadOutcome } from './types.js';

/** One program to run as a repetition; builtin and tinybench workloads are commands too. */
export interface CommandInvocation {
  argv: [string, ...string[]];
  /** Merged over process.env. */
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  metrics: WorkloadMetricSpec[];
  /** How messages name the workload, e.g. the argv or `builtin cpu-contention`. */
  label: string;
  /** helpers/bin/kdelta-cgexec, required when the run has a cgroup. */
  cgexec: string;
}

/** stdout: the first 1 MiB and the last 3 MiB are kept for figures; stderr: the last 4 KiB for the report. */
const STDOUT_HEAD_BYTES = 1 << 20;
const STDOUT_TAIL_BYTES = 3 << 20;
const STDERR_TAIL_BYTES = 4096;
/** After the main process exits and the tree is killed, how long its pipes may stay open before kdelta stops reading. */
const PIPE_DRAIN_MS = 2000;

/** Exit statuses of kdelta-cgexec itself (helpers/cgexec.c), recognised by the marker it prints. */
export const CGEXEC_MARKER = /kdelta-cgexec: (cannot run '.*'|cannot join cgroup .*): (.*)$/m;

/** Quotes argv for messages only (it is never given to a shell). */
export function argvLabel(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

type Ending = 'exit' | 'timeout' | 'aborted';

type Failure = Extract<WorkloadOutcome, { state: 'failed' }>;
type Status = { exitCode?: number | null; signal?: string | null; stderrTail?: string };

function failed(kind: Failure['kind'], message: string, extra: Status = {}): WorkloadOutcome {
  return {
    state: 'failed',
    kind,
    exitCode: extra.exitCode ?? null,
    signal: extra.signal ?? null,
    stderrTail: extra.stderrTail ?? '',
    message,
  };
}

/** Written from event callbacks; an object so the compiler does not narrow the fields to their initial values. */
interface ChildState {
  exitNs: bigint | null;
  exitCode: number | null;
  exitSignal: string | null;
  ending: Ending;
  killError: string | null;
  /** Processes of the repetition found outside its cgroup at its end, and killed. */
  leftCgroup: number;
}

function spawnChild(cmd: CommandInvocation, ctx: RunContext) {
  // fd 3 of kdelta-cgexec is the watchdog's end of a socket only kdelta holds the other end of:
  // when kdelta dies, even by SIGKILL, the watchdog kills the cgroup within moments.
  const [file, ...args] = ctx.cgroup ? ([cmd.cgexec, '--watchdog', '3', ctx.cgroup.path, ...cmd.argv] as const) : cmd.argv;
  const stdout = new BoundedOutput(STDOUT_HEAD_BYTES, STDOUT_TAIL_BYTES);
  const stderr = new BoundedOutput(0, STDERR_TAIL_BYTES);

  const startNs = process.hrtime.bigint();
  const child = execa(file, args, {
    cwd: cmd.cwd,
    // The mark finds, at the repetition's end, processes that moved themselves out of its cgroup.
    env: ctx.cgroup ? { ...cmd.env, [REPETITION_MARK]: ctx.cgroup.path } : cmd.env,
    extendEnv: true,
    stdio: ctx.cgroup ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    // Its own process group: a terminal's Ctrl-C reaches kdelta only, which then stops the
    // workload itself (reported as aborted, not as a crash), and without a cgroup the group
    // is what a timeout kills.
    detached: true,
  });
  const watchdogEnd = (child.stdio as ReadonlyArray<Duplex | null>)[3] ?? undefined;
  if (child.pid !== undefined) ctx.onStart?.(child.pid);
  child.stdout?.on('data', (b: Buffer) => stdout.push(b));
  child.stderr?.on('data', (b: Buffer) => stderr.push(b));
  const st: ChildState = { exitNs: null, exitCode: null, exitSignal: null, ending: 'exit', killError: null, leftCgroup: 0 };
  child.once('exit', (code, signal) => {
    st.exitNs = process.hrtime.bigint();
    st.exitCode = code;
    st.exitSignal = signal;
  });
  return { file, child, stdout, stderr, watchdogEnd, startNs, st };
}

type Spawned = ReturnType<typeof spawnChild>;

/** What the repetition came to, once the tree is dead and the pipes are drained (or given up on). */
async function outcomeOf(cmd: CommandInvocation, ctx: RunContext, spawned: Spawned, endNs: bigint, spawnCode: string | undefined): Promise<WorkloadOutcome> {
  const { st, file } = spawned;
  const stderrTail = textTail(spawned.stderr.text(), STDERR_TAIL_BYTES);
  const { exitCode, exitSignal } = st;
  const status = { exitCode, signal: exitSignal, stderrTail };

  if (st.killError !== null) return failed('error', `${cmd.label}: could not kill its processes: ${st.killError}`, status);
  if (st.ending === 'timeout') {
    return failed('timeout', `${cmd.label} timed out after ${cmd.timeoutMs} ms; every process it started was killed`, status);
  }
  if (st.ending === 'aborted') return failed('aborted', `${cmd.label} was stopped: kdelta was interrupted`, status);

  if (st.exitNs === null && spawnCode !== undefined) {
    return failed('spawn', await spawnMessage(spawnCode, cmd, file), status);
  }

  const marker = CGEXEC_MARKER.exec(stderrTail);
  if (ctx.cgroup && marker && (exitCode === 125 || exitCode === 126 || exitCode === 127)) {
    if (exitCode === 127) return failed('spawn', `command not found: ${cmd.argv[0]}`, status);
    if (exitCode === 126) return failed('spawn', `cannot execute ${cmd.argv[0]}: ${marker[2] ?? ''}`, status);
    return failed('error', `cannot put ${cmd.label} in cgroup ${ctx.cgroup.path}: ${marker[2] ?? ''}`, status);
  }
  if (exitSignal !== null) return failed('signal', `${cmd.label} was killed by ${exitSignal}`, status);
  if (exitCode !== 0) return failed('exit', `${cmd.label} exited with code ${String(exitCode)}`, status);

  const figures = workloadFiguresFromStdout(spawned.stdout.text(), cmd.metrics);
  if (figures.state === 'invalid') return failed('error', `${cmd.label}: ${figures.message}`, status);
  const cut = spawned.stdout.cut();
  return {
    state: 'ok',
    wallTimeNs: Number(endNs - spawned.startNs),
    metrics: figures.metrics,
    tasks: { pid: spawned.child.pid ?? null, threads: figures.threads },
    ...(cut && { cut }),
    ...(spawned.st.leftCgroup > 0 && { leftCgroup: spawned.st.leftCgroup }),
  };
}

/**
 * Runs one repetition of a program. With a cgroup, the program starts through kdelta-cgexec,
 * which joins the cgroup and then execs it, so the whole tree is inside from its first
 * instruction; timeout and abort kill the cgroup (cgroup.kill), i.e. every descendant. Without
 * a cgroup (not root), the program leads its own process group and the group is killed, which
 * misses only descendants that call setsid().
 */
export async function runCommand(cmd: CommandInvocation, ctx: RunContext): Promise<WorkloadOutcome> {
  if (ctx.signal.aborted) return failed('aborted', `${cmd.label} was not started: kdelta was interrupted`);
  const spawned = spawnChild(cmd, ctx);
  const { child, st, watchdogEnd } = spawned;

  const killTree = async (): Promise<void> => {
    try {
      if (ctx.cgroup) await killCgroup(ctx.cgroup);
      // Until kdelta-cgexec has joined the cgroup, the cgroup is empty and its process group is
      // what holds the workload: an abort in the first moments of a repetition must reach it.
      if (child.pid !== undefined && (!ctx.cgroup || st.exitNs === null)) process.kill(-child.pid, 'SIGKILL');
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ESRCH') st.killError = e.message;
    }
  };
  const stop = (why: Ending): void => {
    if (st.ending !== 'exit') return;
    st.ending = why;
    void killTree();
  };
  const timer = setTimeout(() => stop('timeout'), cmd.timeoutMs);
  const onAbort = (): void => stop('aborted');
  ctx.signal.addEventListener('abort', onAbort, { once: true });

  try {
    const exited = new Promise<void>((resolve) => {
      if (st.exitNs !== null) resolve();
      child.once('exit', () => resolve());
      child.once('error', () => resolve());
    });
    await Promise.race([exited, child]);
    const endNs = st.exitNs ?? process.hrtime.bigint();
    clearTimeout(timer);
    // Whatever the main process left behind (daemonised children) is part of the repetition
    // and must not outlive it, nor keep the pipes open.
    await killTree();
    if (ctx.cgroup) st.leftCgroup = await killEscaped(ctx.cgroup.path);
    // Closing kdelta's end lets the watchdog go (it kills the already empty cgroup once more).
    watchdogEnd?.destroy();
    const result = await Promise.race([
      child,
      new Promise<null>((r) => setTimeout(() => r(null), PIPE_DRAIN_MS).unref()),
    ]);
    if (result === null) {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
    return await outcomeOf(cmd, ctx, spawned, endNs, result?.code);
  } finally {
    clearTimeout(timer);
    watchdogEnd?.destroy();
    ctx.signal.removeEventListener('abort', onAbort);
  }
}

async function spawnMessage(code: string, cmd: CommandInvocation, file: string): Promise<string> {
  // Node reports a missing working directory as ENOENT of the program too.
  const cwdExists = await stat(cmd.cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (code === 'ENOENT' && !cwdExists) return `working directory does not exist: ${cmd.cwd}`;
  if (file === cmd.cgexec) {
    return `cannot start ${cmd.cgexec} (${code}): build the C helpers with \`npm run build:helpers\``;
  }
  if (code === 'ENOENT') return `command not found: ${cmd.argv[0]}`;
  if (code === 'EACCES') return `cannot execute ${cmd.argv[0]}: permission denied`;
  return `cannot start ${cmd.label}: ${code}`;
}
