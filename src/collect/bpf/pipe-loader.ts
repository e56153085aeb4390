import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EnvironmentError } from '../../errors.js';

export type Want = 'ready' | 'admitted' | 'end';

const live = new Set<ChildProcess>();

/** Kills every loader synchronously (signal handlers); a kdelta killed outright closes their stdin, which ends them. */
export function killBpfChildrenSync(): number {
  let n = 0;
  for (const c of live) {
    if (c.pid && c.kill('SIGKILL')) n++;
  }
  return n;
}

/**
 * The line protocol kdelta's BPF loaders share: commands on the loader's stdin, answers in
 * order on its stdout. The loader holds kdelta's pipe on its stdin; when the pipe closes
 * (kdelta ends in any way, even SIGKILL) it exits and the kernel drops every link with its
 * fds. Subclasses read the lines and settle what was asked.
 */
export abstract class PipeLoader {
  private readonly child: ChildProcess;
  private stderr = '';
  private exited = false;
  /** How the loader ended (`SIGKILL`, `exit status 1`), once it has. */
  exitedHow: string | null = null;
  private readonly waiting: Array<{ want: Want; resolve: (v: unknown) => void }> = [];
  readonly unparsed: string[] = [];

  /** `what` names the capture in errors; `fix` is what a user can do when it fails. */
  constructor(loader: string, args: string[], private readonly what: string, private readonly fix: string) {
    const c = spawn(loader, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = c;
    live.add(c);
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-4000)));
    if (c.stdout) createInterface({ input: c.stdout, crlfDelay: Infinity }).on('line', (l) => this.onLine(l));
    c.on('error', (e) => (this.stderr += e.message));
    c.on('exit', (code, signal) => {
      this.exited = true;
      this.exitedHow = signal ?? `exit status ${String(code)}`;
      live.delete(c);
      for (const w of this.waiting.splice(0)) w.resolve(null);
    });
  }

  protected abstract onLine(line: string): void;

  get running(): boolean {
    return !this.exited;
  }

  fail(what: string): EnvironmentError {
    const tail = this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join('; ')}` : '';
    return new EnvironmentError(`${this.what}: ${what}${tail}`, { fix: this.fix });
  }

  /** Sends `line` (if any) and resolves with the answer, or null when the loader exited first. */
  request<T>(want: Want, line: string | null, timeoutMs: number): Promise<T | null> {
    return new Promise<T | null>((resolve, reject) => {
      if (this.exited) return reject(this.fail('the loader is not running'));
      const timer = setTimeout(() => reject(this.fail(`no answer to ${line ?? 'start'} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push({
        want,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T | null);
        },
      });
      if (line !== null) this.child.stdin?.write(`${line}\n`);
    });
  }

  protected settle(want: Want, v: unknown): void {
    const i = this.waiting.findIndex((w) => w.want === want);
    if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(v);
  }

  /** Keeps the first few lines no parser knew, for the report's notes. */
  protected keepUnparsed(line: string): void {
    if (this.unparsed.length < 10) this.unparsed.push(line);
  }

  /** Closes the pipe (the loader detaches and exits), then SIGKILL if it has not after 3 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin?.end();
    const deadline = Date.now() + 3_000;
    while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!this.exited) this.child.kill('SIGKILL');
    live.delete(this.child);
  }
}
