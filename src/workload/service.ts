import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { killCgroup, type CgroupRef } from '../kernel/cgroup.js';
import { compileLineRegex } from '../scenario/regex.js';
import type { ServiceReady } from '../scenario/types.js';
import { CGEXEC_MARKER } from './command.js';
import { BoundedOutput, textTail } from './output.js';
import { readServiceCounters, serviceMetrics, type ServiceCounters } from './service-metrics.js';
import type { RunContext, ServiceSession, WorkloadFailed } from '../run/types.js';

/** The server a driver loads, as the scenario names it. */
export interface ServiceInvocation {
  argv: [string, ...string[]];
  env: Record<string, string>;
  cwd: string;
  ready: ServiceReady;
  timeoutMs: number;
  /** How messages name it, e.g. `` service `nginx -c nginx.conf` ``. */
  label: string;
  cgexec: string;
}

/** The last output of stdout and stderr together, for the report of a service that died. */
const OUTPUT_TAIL_BYTES = 4096;
/** A partial line longer than this is matched as it is and dropped, so a service printing no newline cannot fill kdelta's memory. */
const LINE_MAX_CHARS = 65_536;
/** How long a stopped service may take to exit on SIGTERM before its cgroup is killed. */
const STOP_GRACE_MS = 2000;
const TCP_RETRY_MS = 50;
const PIPE_DRAIN_MS = 1000;

type Exit = { code: number | null; signal: string | null } | { spawnError: string };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** True once a TCP connection to host:port is accepted. */
function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function launch(inv: ServiceInvocation, cgroup: CgroupRef | null) {
  const [file, ...args] = cgroup ? [inv.cgexec, '--watchdog', '3', cgroup.path, ...inv.argv] : inv.argv;
  return execa(file, args, {
    cwd: inv.cwd,
    env: inv.env,
    extendEnv: true,
    stdio: cgroup ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    // Its own process group: a terminal's Ctrl-C reaches kdelta only, which then stops the service itself.
    detached: true,
  });
}

/**
 * A server started once per scenario. With a cgroup it starts through kdelta-cgexec with the
 * watchdog, like a repetition, so kdelta's death (even by SIGKILL) takes it down; stopping it
 * sends SIGTERM (a server cleans up: pid files, sockets) and then kills its cgroup.
 */
export class ServiceProcess implements ServiceSession {
  private child: ReturnType<typeof launch> | null = null;
  private watchdogEnd: Duplex | undefined;
  private cgroup: CgroupRef | null = null;
  private exit: Exit | null = null;
  private readonly exited: Promise<void>;
  private markExited: () => void = () => undefined;
  private readonly output = new BoundedOutput(0, OUTPUT_TAIL_BYTES);
  private readonly lineWatchers: Array<(line: string) => void> = [];
  private stopping = false;
  private before: ServiceCounters | null = null;

  constructor(private readonly inv: ServiceInvocation) {
    this.exited = new Promise((r) => (this.markExited = r));
  }

  async start(ctx: RunContext): Promise<{ state: 'ready' } | WorkloadFailed> {
    if (ctx.signal.aborted) return this.failed('aborted', `${this.inv.label} was not started: kdelta was interrupted`);
    this.cgroup = ctx.cgroup;
    this.spawn();
    const abort = new Promise<'aborted'>((r) => ctx.signal.addEventListener('abort', () => r('aborted'), { once: true }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), this.inv.timeoutMs)));
    const settled = { done: false };
    const result = await Promise.race([this.waitReady(settled).then(() => 'ready' as const), this.exited.then(() => 'exited' as const), timeout, abort]);
    settled.done = true;
    this.lineWatchers.length = 0;
    clearTimeout(timer);
    if (result === 'ready' && this.exit === null) return { state: 'ready' };
    await this.stop();
    if (result === 'timeout') return this.failed('timeout', `${this.inv.label} was not ready after ${this.inv.timeoutMs} ms (${this.readyPhrase()}); it was stopped`);
    if (result === 'aborted') return this.failed('aborted', `${this.inv.label} was stopped before it was ready: kdelta was interrupted`);
    return this.died('before it was ready');
  }

  async beforeRepetition(): Promise<void> {
    this.before = this.cgroup ? await readServiceCounters(this.cgroup.path) : null;
  }

  async afterRepetition(): Promise<{ state: 'ok'; metrics: ReturnType<typeof serviceMetrics> } | WorkloadFailed> {
    if (this.exit !== null) return this.died('during the repetition');
    const before = this.before;
    if (!this.cgroup || !before) return { state: 'ok', metrics: [] };
    return { state: 'ok', metrics: serviceMetrics(before, await readServiceCounters(this.cgroup.path)) };
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.stopping) return;
    this.stopping = true;
    if (this.exit === null) {
      child.kill('SIGTERM');
      await Promise.race([this.exited, sleep(STOP_GRACE_MS)]);
    }
    try {
      if (this.cgroup) await killCgroup(this.cgroup);
    } catch {
      /* the runner's cgroup removal kills what is left once more */
    }
    try {
      // Until kdelta-cgexec has joined the cgroup, its process group is what holds the service.
      if (child.pid !== undefined && this.exit === null) process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone already */
    }
    this.watchdogEnd?.destroy();
    const drained = await Promise.race([child.then(() => true), sleep(PIPE_DRAIN_MS).then(() => false)]);
    if (!drained) {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
  }

  private spawn(): void {
    const child = launch(this.inv, this.cgroup);
    this.child = child;
    this.watchdogEnd = (child.stdio as ReadonlyArray<Duplex | null>)[3] ?? undefined;
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.on('data', (b: Buffer) => {
        this.output.push(b);
        // Once it is ready nothing watches its lines, so a chatty server costs no matching during the repetitions.
        if (this.lineWatchers.length === 0) return;
        const lines = (partial + b.toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        if (partial.length > LINE_MAX_CHARS) {
          lines.push(partial);
          partial = '';
        }
        for (const line of lines) for (const watch of this.lineWatchers) watch(line);
      });
    }
    child.once('exit', (code, signal) => {
      this.exit = { code, signal };
      this.markExited();
    });
    child.once('error', (err: NodeJS.ErrnoException) => {
      this.exit ??= { spawnError: err.code ?? err.message };
      this.markExited();
    });
  }

  private async waitReady(settled: { done: boolean }): Promise<void> {
    const ready = this.inv.ready;
    if (ready.kind === 'delay') return sleep(ready.ms);
    if (ready.kind === 'tcp') {
      while (!settled.done && !(await tcpAccepts(ready.host, ready.port))) await sleep(TCP_RETRY_MS);
      return;
    }
    const re = compileLineRegex(ready.regex);
    if (!re.ok) throw new Error(re.error);
    return new Promise((resolve) => this.lineWatchers.push((line) => re.value.test(line) && resolve()));
  }

  private readyPhrase(): string {
    const r = this.inv.ready;
    if (r.kind === 'tcp') return `nothing accepted a connection on ${r.host}:${r.port}`;
    if (r.kind === 'stdout') return `no line of its output matched /${r.regex}/`;
    return `a delay of ${r.ms} ms`;
  }

  private tail(): string {
    return textTail(this.output.text(), OUTPUT_TAIL_BYTES);
  }

  private failed(kind: WorkloadFailed['kind'], message: string, exitCode: number | null = null, signal: string | null = null): WorkloadFailed {
    return { state: 'failed', kind, exitCode, signal, stderrTail: this.tail(), message };
  }

  /** The failure of a service that ended by itself: its exit status and its last output. */
  private died(when: string): WorkloadFailed {
    const exit = this.exit;
    const { label, argv, cgexec } = this.inv;
    if (exit === null) return this.failed('error', `${label} stopped answering ${when}`);
    if ('spawnError' in exit) {
      const what = this.cgroup ? `${cgexec} (${exit.spawnError}): build the C helpers with \`npm run build:helpers\`` : `${argv[0]} (${exit.spawnError})`;
      return this.failed('spawn', `cannot start ${what}`);
    }
    const marker = CGEXEC_MARKER.exec(this.tail());
    if (this.cgroup && marker && exit.code === 127) return this.failed('spawn', `service command not found: ${argv[0]}`, exit.code);
    if (this.cgroup && marker && exit.code === 126) return this.failed('spawn', `cannot execute service ${argv[0]}: ${marker[2] ?? ''}`, exit.code);
    if (exit.signal !== null) return this.failed('signal', `${label} was killed by ${exit.signal} ${when}`, null, exit.signal);
    const foreground = exit.code === 0 && when.startsWith('before') ? ' (a service must stay in the foreground: turn off its daemon mode)' : '';
    return this.failed('exit', `${label} exited with code ${String(exit.code)} ${when}${foreground}`, exit.code);
  }
}
