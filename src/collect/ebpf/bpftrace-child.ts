import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { onHardStop } from '../../io.js';

/**
 * The shell that runs bpftrace. It holds the read end of a pipe from kdelta: when kdelta ends in
 * any way (even SIGKILL) the pipe closes, `read` returns, and bpftrace gets SIGINT and then
 * SIGKILL after a grace period, so its probes never outlive kdelta. bpftrace runs in the
 * shell's own process group (detached), away from a terminal's Ctrl-C, which kdelta handles.
 * The first stderr line carries bpftrace's pid.
 */
// A background job's stdin is /dev/null in a non-interactive shell, so the pipe is kept on fd 3.
const WATCHDOG = [
  'exec 3<&0',
  '"$@" </dev/null 3<&- & b=$!',
  'echo "kdelta-bpftrace-pid $b" >&2',
  // The watcher holds no pipe to kdelta but fd 3: its `sleep` would otherwise keep kdelta's
  // stdout open for the whole grace period after bpftrace is gone.
  '( while read -r _ <&3; do :; done; kill -INT $b; sleep $KDELTA_GRACE_S; kill -KILL $b ) >/dev/null 2>&1 & w=$!',
  'wait $b; s=$?',
  'kill $w 2>/dev/null',
  'exit $s',
].join('\n');

const PID_LINE = /^kdelta-bpftrace-pid \d+\n?/m;

interface LiveChild {
  bpftracePid: number | null;
  shell: ChildProcess;
}
const live = new Set<LiveChild>();

/**
 * Stops every bpftrace kdelta started, synchronously: for a signal handler or an exit hook
 * of the runner/CLI (process.on('exit') cannot wait). The pipe watchdog covers a kdelta that
 * dies without running any handler.
 */
export function killEbpfChildrenSync(signal: NodeJS.Signals = 'SIGINT'): number {
  let n = 0;
  for (const c of live) {
    for (const pid of [c.bpftracePid, c.shell.pid]) {
      if (!pid) continue;
      try {
        process.kill(pid, signal);
        n++;
      } catch {
        /* gone */
      }
    }
    c.shell.stdin?.destroy();
  }
  return n;
}

onHardStop(() => killEbpfChildrenSync());

export interface BpftraceExit {
  code: number | null;
  signal: string | null;
}

/** A running bpftrace under the watchdog shell: its stdout lines, its stderr so far, its exit. */
export interface BpftraceChild {
  /** bpftrace's stderr, without the watchdog's pid line. */
  stderr(): string;
  /** null while it runs. */
  exited(): BpftraceExit | null;
  /** Resolves when bpftrace (and its shell) has exited. */
  readonly done: Promise<BpftraceExit>;
  /** Closes the pipe (the watchdog sends SIGINT), waits up to the grace period plus 2 s, then SIGKILLs. */
  stop(graceMs: number): Promise<void>;
}

export interface SpawnOptions {
  bpftrace: string;
  program: string;
  mapKeysMax: number;
  graceMs: number;
  onLine: (line: string) => void;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function spawnBpftrace(o: SpawnOptions): BpftraceChild {
  const shell = execa('sh', ['-c', WATCHDOG, 'kdelta-ebpf', o.bpftrace, '-f', 'json', '-B', 'line', '-k', '-e', o.program], {
    env: { BPFTRACE_MAP_KEYS_MAX: String(o.mapKeysMax), KDELTA_GRACE_S: String(Math.max(1, Math.ceil(o.graceMs / 1000))) },
    stdin: 'pipe',
    buffer: false,
    reject: false,
    detached: true,
    cleanup: false,
  });
  const c: LiveChild = { bpftracePid: null, shell };
  live.add(c);
  let stderr = '';
  let exit: BpftraceExit | null = null;
  shell.stderr?.setEncoding('utf8');
  shell.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    const m = /kdelta-bpftrace-pid (\d+)/.exec(stderr);
    if (m && c.bpftracePid === null) c.bpftracePid = Number(m[1]);
  });
  if (shell.stdout) createInterface({ input: shell.stdout, crlfDelay: Infinity }).on('line', o.onLine);
  const done = shell.then((res) => {
    exit = { code: res.exitCode ?? null, signal: res.signal ?? null };
    live.delete(c);
    return exit;
  });

  return {
    stderr: () => stderr.replace(PID_LINE, ''),
    exited: () => exit,
    done,
    async stop(graceMs: number): Promise<void> {
      if (!exit) {
        // Closing the pipe makes the watchdog send SIGINT, then SIGKILL after the grace period.
        // One SIGINT only: a second one while bpftrace detaches its probes delays its exit.
        shell.stdin?.end();
        const deadline = Date.now() + graceMs + 2_000;
        while (!exit && Date.now() < deadline) await delay(20);
        if (!exit) {
          try {
            if (c.bpftracePid) process.kill(c.bpftracePid, 'SIGKILL');
            if (shell.pid) process.kill(shell.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      live.delete(c);
    },
  };
}
