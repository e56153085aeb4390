import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EnvironmentError } from '../../errors.js';
import { parseEventsLine, type RawEvent } from './events-parse.js';

type Want = 'ready' | 'admitted' | 'end';

/** What one `dump` returned: the events received since the previous one and the counters. */
export interface EventsDump {
  events: RawEvent[];
  seen: number;
  ringFull: number;
}

/**
 * The line protocol with helpers/bin/kdelta-events: commands on its stdin, answers in order
 * on its stdout, events in between as they come. The loader holds kdelta's pipe on its stdin;
 * when the pipe closes (kdelta ends in any way, even SIGKILL) it exits and its programs detach.
 */
export class EventsChannel {
  private readonly child: ChildProcess;
  private stderr = '';
  private exited = false;
  exitedHow: string | null = null;
  private events: RawEvent[] = [];
  private counts = { seen: 0, ringFull: 0 };
  private readonly waiting: Array<{ want: Want; resolve: (v: unknown) => void }> = [];
  readonly unparsed: string[] = [];

  constructor(loader: string, args: string[]) {
    const c = spawn(loader, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = c;
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (s: string) => (this.stderr = (this.stderr + s).slice(-4000)));
    if (c.stdout) createInterface({ input: c.stdout, crlfDelay: Infinity }).on('line', (l) => this.onLine(l));
    c.on('error', (e) => (this.stderr += e.message));
    c.on('exit', (code, signal) => {
      this.exited = true;
      this.exitedHow = signal ?? `exit status ${String(code)}`;
      for (const w of this.waiting.splice(0)) w.resolve(null);
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  fail(what: string): EnvironmentError {
    const tail = this.stderr.trim() ? `: ${this.stderr.trim().split('\n').slice(-3).join('; ')}` : '';
    return new EnvironmentError(`slow-call events (libbpf): ${what}${tail}`, { fix: 'run `kdelta doctor`; or remove collect.ebpf.syscalls.events' });
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

  /** Starts a repetition: the loader's count restarts and the events of before are discarded. */
  async admit(cgroupId: bigint, timeoutMs: number): Promise<number | null> {
    const n = await this.request<number>('admitted', `admit ${cgroupId.toString()}`, timeoutMs);
    this.events = [];
    return n;
  }

  dump(timeoutMs: number): Promise<EventsDump | null> {
    return this.request<EventsDump>('end', 'dump', timeoutMs);
  }

  private settle(want: Want, v: unknown): void {
    const i = this.waiting.findIndex((w) => w.want === want);
    if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(v);
  }

  private onLine(line: string): void {
    const p = parseEventsLine(line);
    if (!p) return;
    if (p.kind === 'ready') this.settle('ready', p);
    else if (p.kind === 'admitted') this.settle('admitted', p.n);
    else if (p.kind === 'event') this.events.push(p.event);
    else if (p.kind === 'counts') this.counts = { seen: p.seen, ringFull: p.ringFull };
    else if (p.kind === 'end') {
      const d: EventsDump = { events: this.events, ...this.counts };
      this.events = [];
      this.settle('end', d);
    } else if (this.unparsed.length < 10) this.unparsed.push(p.line);
  }

  /** Closes the pipe (the loader detaches and exits), then SIGKILL if it has not after 3 s. */
  async close(): Promise<void> {
    if (this.exited) return;
    this.child.stdin?.end();
    const deadline = Date.now() + 3_000;
    while (!this.exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
