// Shared by the CLI and runner tests: kdelta run in-process through main(io) with buffer
// streams (size-limit's pattern), or end to end through bin/kdelta.js, and the checks that
// nothing of a run is left behind (processes, bpftrace, cgroups, BPF programs).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { main } from '../../src/cli.js';
import { unfoldReport, type StoredReport } from '../../src/report/compact.js';
import { validateReport } from '../../src/report/schema.js';
import type { Report } from '../../src/report/types.js';
import { findCgroup2Mount } from '../../src/kernel/cgroup.js';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const binPath = join(repoRoot, 'bin', 'kdelta.js');
/**
 * The Jenkins JUnit XSD, vendored from ../shared/conformance/ so the tests also run where
 * shared/ is not beside the clone (GitHub's CI); .ci/run checks the copy is identical.
 */
export const jenkinsXsd = resolve(repoRoot, 'test/fixtures/conformance/jenkins-junit.xsd');
/** The Jenkins XSD plus the `file`, `line` and root `skipped` attributes kdelta writes for the GitHub reporters. */
export const kdeltaJunitXsd = resolve(repoRoot, 'test/fixtures/conformance/jenkins-junit-kdelta.xsd');

/** A Writable that keeps what was written, as text. */
export class TextSink extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/**
 * This process's environment as a user's shell would have it: vitest sets FORCE_COLOR in its
 * workers, and GITHUB_ACTIONS would turn on ::group:: lines in CI.
 */
export function plainEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['FORCE_COLOR'];
  delete env['NO_COLOR'];
  delete env['GITHUB_ACTIONS'];
  delete env['GITHUB_STEP_SUMMARY'];
  return { ...env, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kdelta in this process with buffer streams, off a TTY, without colour. */
export async function runCli(argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<CliResult> {
  const stdout = new TextSink();
  const stderr = new TextSink();
  const code = await main({
    argv,
    env: opts.env ?? plainEnv(),
    cwd: opts.cwd ?? repoRoot,
    stdout,
    stderr,
    isTTY: false,
    signal: opts.signal ?? new AbortController().signal,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** No stack trace: a stack frame line looks like `    at fn (file:1:2)`. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+/m.test(text);
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export async function writeScenario(dir: string, file: string, yaml: string): Promise<string> {
  const path = join(dir, file);
  await writeFile(path, yaml);
  return path;
}

/** The cgroup2 mount of this machine; the tests need one and fail without it. */
export function cgroup2(): string {
  const mount = findCgroup2Mount(readFileSync('/proc/self/mountinfo', 'utf8'));
  if (!mount) throw new Error('no cgroup2 mount in /proc/self/mountinfo: these tests need cgroup v2');
  return mount;
}

/** The run cgroups (`kdelta-<pid>-*`) a kdelta with this pid has under the cgroup2 mount. */
export function runCgroupsOf(pid: number): string[] {
  return readdirSync(cgroup2()).filter((name) => name.startsWith(`kdelta-${pid}-`));
}

interface Proc {
  pid: number;
  argv: string[];
}

/** Every process with its argv, read from /proc. Zombies (state Z) are left out: they cannot run anything. */
export function processes(): Proc[] {
  const out: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      out.push({ pid: Number(entry), argv });
    } catch {
      /* exited while we looked */
    }
  }
  return out;
}

/** Live processes whose argv has exactly this sequence of words (a marker such as `sleep 987`). */
export function processesWithArgv(...words: string[]): Proc[] {
  return processes().filter((p) => p.argv.some((_, i) => words.every((w, j) => p.argv[i + j] === w)));
}

/**
 * bpftrace (and its watchdog shell) started by the kdelta with this pid: the program kdelta
 * builds filters its marker probe on `pid == <kdelta pid>`, and the program is in argv.
 */
export function bpftraceOf(kdeltaPid: number): Proc[] {
  const needle = `/pid == ${kdeltaPid} &&`;
  return processes().filter((p) => p.argv.some((a) => a.includes(needle)) && p.pid !== process.pid);
}

/** BPF program ids a process holds open (its fdinfo lists `prog_id:` for BPF program fds). */
export function bpfProgIdsOf(pid: number): number[] {
  const ids: number[] = [];
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fdinfo`);
  } catch {
    return ids;
  }
  for (const fd of fds) {
    try {
      const m = /^prog_id:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
      if (m) ids.push(Number(m[1]));
    } catch {
      /* fd closed meanwhile */
    }
  }
  return ids;
}

/** Waits until `check` returns a truthy value, or throws with `what` after the timeout. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000, stepMs = 50): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** The build the end-to-end tests run; a missing or stale one fails them with the fix. */
export function requireBuild(): void {
  const cli = join(repoRoot, 'dist', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`npm run build\` before the end-to-end tests`);
  for (const helper of ['kdelta-cgexec', 'kdelta-load']) {
    const p = join(repoRoot, 'helpers', 'bin', helper);
    if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run build\``);
  }
  // Every compiled file must be newer than its source, or the end-to-end tests run old code.
  const walk = (rel: string): string[] =>
    readdirSync(join(repoRoot, 'src', rel), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(rel, e.name)) : e.name.endsWith('.ts') ? [join(rel, e.name)] : [],
    );
  for (const src of walk('.')) {
    const out = join(repoRoot, 'dist', src.replace(/\.ts$/, '.js'));
    if (!existsSync(out) || statSync(join(repoRoot, 'src', src)).mtimeMs > statSync(out).mtimeMs) {
      throw new Error(`dist/ is older than src/${src}: run \`npm run build\` so the end-to-end tests run the current code`);
    }
  }
}

export interface Spawned {
  child: ChildProcess;
  /** stderr lines with the time (ms since spawn) each arrived, whole lines only. */
  lines: Array<{ at: number; text: string }>;
  rawStderr: () => string;
  stdout: () => string;
  /** Resolves with the exit code (or 128 + signal number) and the time it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Spawns `node bin/kdelta.js ...args` with piped stdout/stderr, recording when each stderr line arrives. */
export function spawnKdelta(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; /** A command kdelta runs under, e.g. setpriv to drop root. */ wrapper?: string[] } = {}): Spawned {
  const t0 = Date.now();
  const argv = [...(opts.wrapper ?? []), process.execPath, binPath, ...args];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd ?? repoRoot,
    env: opts.env ?? plainEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let raw = '';
  let partial = '';
  let out = '';
  const lines: Spawned['lines'] = [];
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    raw += chunk;
    partial += chunk;
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) lines.push({ at: Date.now() - t0, text });
  });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolveExit) => {
    child.on('close', (code, signal) => resolveExit({ code, signal, at: Date.now() - t0 }));
  });
  return { child, lines, rawStderr: () => raw, stdout: () => out, exited };
}

/** The pid a process's parent is (for finding a workload below kdelta-cgexec). */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** The cgroup v2 path of a process, relative to the cgroup2 mount (`0::/path` in /proc/<pid>/cgroup). */
export function cgroupOf(pid: number): string | null {
  try {
    const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('0::'));
    return line ? line.slice(3) : null;
  } catch {
    return null;
  }
}

/**
 * A scenario whose stdout is cut when chatty.flag exists in its directory: 5 MiB of 71-byte
 * lines come before the figure, more than kdelta keeps of a repetition's head and tail.
 */
export const CHATTY_SCENARIO = `name: chatty
workload:
  command: [sh, -c, "if [ -e chatty.flag ]; then yes 0123456789012345678901234567890123456789012345678901234567890123456789 | head -c 5242880; echo; fi; echo 'ops: 1000'"]
  metrics:
    - { name: ops, regex: "ops: ([0-9]+)", unit: "1", better: higher }
repetitions: 3
warmup: 0
collect:
  proc: false
  ebpf: false
gate:
  metrics:
    workload.ops: {}
`;

/** A run's report.json, checked against the schema (failing the test if it does not fit), unfolded. */
export function readValidReport(dir: string): Report {
  const stored = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as StoredReport;
  const v = validateReport(stored);
  expect(v.ok ? [] : v.errors).toEqual([]);
  return unfoldReport(stored);
}
