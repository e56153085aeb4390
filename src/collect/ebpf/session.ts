import { readFileSync, writeFileSync } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { ensureTracefs } from '../../environment/probe.js';
import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
import type { EbpfSpec } from '../../scenario/types.js';
import type { Availability, CollectorSession, RepetitionCapture, RepetitionRef, TaskSet } from '../types.js';
import { metricsFromSnapshots, nearlyFullMaps } from './metrics.js';
import { parseBpftraceStderr, SnapshotReader, type Snapshot } from './output.js';
import { buildProgram, DEFAULT_MAP_KEYS_MAX, DEFAULT_PREEMPTED_STATE_BIT, MARKER_PREFIX, type BuiltProgram } from './program.js';
import { syscallTableFor } from '../../kernel/syscalls/table.js';

/** What the eBPF capture takes away when it cannot run. */
export const EBPF_METRICS = ['sched.ready_delay.*', 'syscall.*', 'irq.hard.*.time*', 'softirq.*.time*'];

/** Whether bpftrace can attach kdelta's program here, and if not, why and how to fix it. */
export function ebpfAvailability(facts: MachineFacts): Availability {
  const no = (reason: string, fix?: string): Availability => ({
    state: 'unavailable',
    reason,
    ...(fix !== undefined && { fix }),
    disables: EBPF_METRICS,
  });
  if (!facts.isRoot && !facts.hasBpfCaps) return no('not root and no CAP_BPF + CAP_PERFMON', 'run kdelta as root (sudo) or grant cap_bpf,cap_perfmon');
  if (!facts.bpftrace) return no('bpftrace is not installed', 'apt-get install bpftrace');
  if (!facts.tracefs && !facts.isRoot) return no('tracefs is not mounted and kdelta is not root to mount it', 'mount -t tracefs tracefs /sys/kernel/tracing');
  if (!facts.cgroup2) return no('no cgroup v2 mount: the capture filters on the workload cgroup', 'mount cgroup2 (systemd does on current distributions)');
  if (!syscallTableFor(facts.arch)) return no(`no syscall table for ${facts.arch}`, 'turn collect.ebpf.syscalls off');
  const detail = [`bpftrace ${facts.bpftrace.version}`, facts.tracefs ? `tracefs at ${facts.tracefs}` : 'tracefs will be mounted', facts.btf ? 'BTF' : 'no BTF (tracepoints only)'];
  return { state: 'ready', detail: detail.join(', ') };
}

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

export interface EbpfSessionOptions {
  /** How long start() waits for the probes to be attached. */
  attachTimeoutMs?: number;
  /** How long a marker (a snapshot of the maps) may take. */
  markerTimeoutMs?: number;
  /** SIGINT -> SIGKILL grace when stopping. */
  graceMs?: number;
  mapKeysMax?: number;
  /** Receives the program text (for --debug and tests). */
  onProgram?: (text: string) => void;
}

/** TASK_REPORT_MAX from the sched_switch format's print fmt: `... & (((0x.. | 0x..) + 1) << 1) ? "+"`. */
export function preemptedBitFromFormat(format: string): number | null {
  const m = /prev_state & \(\(\(([^)]*)\) \+ 1\) << 1\) \? "\+"/.exec(format);
  if (!m?.[1]) return null;
  let mask = 0;
  for (const part of m[1].split('|')) {
    const v = Number(part.trim());
    if (!Number.isFinite(v)) return null;
    mask |= v;
  }
  return (mask + 1) << 1;
}

/** IRQ number -> handler names from /sys/kernel/irq/<n>/actions (what /proc/interrupts shows last). */
export async function readIrqNames(root = '/sys/kernel/irq'): Promise<Record<number, string>> {
  const out: Record<number, string> = {};
  let dirs: string[] = [];
  try {
    dirs = await readdir(root);
  } catch {
    return out;
  }
  await Promise.all(
    dirs.map(async (d) => {
      const n = Number(d);
      if (!Number.isInteger(n)) return;
      try {
        const a = (await readFile(`${root}/${d}/actions`, 'utf8')).trim();
        if (a) out[n] = a.replace(/,/g, '+').replace(/\s+/g, '_');
      } catch {
        /* no actions file */
      }
    }),
  );
  return out;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function createEbpfSession(spec: EbpfSpec, facts: MachineFacts, options: EbpfSessionOptions = {}): CollectorSession {
  const attachTimeoutMs = options.attachTimeoutMs ?? 30_000;
  const markerTimeoutMs = options.markerTimeoutMs ?? 10_000;
  const graceMs = options.graceMs ?? 3_000;
  const mapKeysMax = options.mapKeysMax ?? DEFAULT_MAP_KEYS_MAX;
  const reader = new SnapshotReader();
  let child: LiveChild | null = null;
  let program: BuiltProgram | null = null;
  let cgroupIds = new Set<bigint>();
  let stderr = '';
  let exited: { code: number | null; signal: string | null } | null = null;
  let nextMarker = 0;
  let stopped = false;
  let irqNames: Record<number, string> = {};
  const waiters = new Map<number, () => void>();
  let onAttached: (() => void) | null = null;
  let onExit: (() => void) | null = null;
  let before: { snapshot: Snapshot; lost: number; errors: Map<string, number> } | null = null;
  let ownComm = 'node';
  try {
    ownComm = readFileSync('/proc/self/comm', 'utf8').trim() || ownComm;
  } catch {
    /* keep the default */
  }

  const failure = (what: string): EnvironmentError => {
    const report = parseBpftraceStderr(stderr.replace(/^kdelta-bpftrace-pid \d+\n?/m, ''));
    const why = report.errors.length > 0 ? report.errors.join('; ') : report.warnings.join('; ') || (exited ? `bpftrace exited (${exited.signal ?? exited.code})` : 'no output');
    return new EnvironmentError(`eBPF capture: ${what}: ${why}`, { fix: 'run `kdelta doctor`; check that tracefs is mounted and that bpftrace runs as root' });
  };

  /** Renames kdelta's main thread to `kdm<n>` and back, and waits until bpftrace printed the maps and the marker. */
  async function marker(): Promise<Snapshot> {
    const n = nextMarker++;
    const done = new Promise<void>((resolve) => waiters.set(n, resolve));
    const fire = (): void => {
      // Synchronous writes: they run on the main thread, whose tgid the program filters on.
      try {
        writeFileSync('/proc/self/comm', `${MARKER_PREFIX}${n}`);
      } finally {
        writeFileSync('/proc/self/comm', ownComm);
      }
    };
    fire();
    // bpftrace prints attached_probes before its last probe is attached, so the first marker
    // can fall into that gap; firing again is harmless (the same snapshot is printed twice).
    const again = setInterval(fire, 100);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), markerTimeoutMs)));
    const exitP = new Promise<'exit'>((r) => {
      if (exited) r('exit');
      else onExit = () => r('exit');
    });
    const r = await Promise.race([done.then(() => 'ok' as const), timeout, exitP]);
    clearTimeout(timer);
    clearInterval(again);
    waiters.delete(n);
    if (r !== 'ok') throw failure(r === 'timeout' ? `no snapshot within ${markerTimeoutMs} ms` : 'bpftrace stopped');
    const snap = reader.snapshots.get(n);
    reader.snapshots.clear();
    return snap ?? new Map();
  }

  return {
    name: 'ebpf',

    async start(repetitions: RepetitionRef[]): Promise<void> {
      if (!facts.bpftrace) throw new EnvironmentError('eBPF capture: bpftrace is not installed');
      const ids = repetitions.flatMap((r) => (r.cgroup ? [r.cgroup.id] : []));
      cgroupIds = new Set(ids);
      let tracefs = facts.tracefs;
      if (!tracefs) {
        const m = await ensureTracefs(facts);
        if (!m.mounted) throw new EnvironmentError(`eBPF capture: tracefs is not mounted: ${m.error ?? ''}`);
        tracefs = m.path ?? '/sys/kernel/tracing';
      }
      let preempted = DEFAULT_PREEMPTED_STATE_BIT;
      try {
        preempted = preemptedBitFromFormat(await readFile(`${tracefs}/events/sched/sched_switch/format`, 'utf8')) ?? preempted;
      } catch {
        /* keep the 6.x value */
      }
      try {
        await access(`${tracefs}/events/task/task_rename`);
      } catch {
        throw new EnvironmentError(`eBPF capture: ${tracefs}/events/task/task_rename is missing`);
      }
      program = buildProgram({ spec, cgroupIds: ids, markerPid: process.pid, arch: facts.arch, preemptedStateBit: preempted });
      options.onProgram?.(program.text);
      irqNames = await readIrqNames();

      const shell = execa('sh', ['-c', WATCHDOG, 'kdelta-ebpf', facts.bpftrace.path, '-f', 'json', '-B', 'line', '-k', '-e', program.text], {
        env: { BPFTRACE_MAP_KEYS_MAX: String(mapKeysMax), KDELTA_GRACE_S: String(Math.max(1, Math.ceil(graceMs / 1000))) },
        stdin: 'pipe',
        buffer: false,
        reject: false,
        detached: true,
        cleanup: false,
      });
      const c: LiveChild = { bpftracePid: null, shell };
      child = c;
      live.add(c);
      shell.stderr?.setEncoding('utf8');
      shell.stderr?.on('data', (chunk: string) => {
        stderr += chunk;
        const m = /kdelta-bpftrace-pid (\d+)/.exec(stderr);
        if (m && c.bpftracePid === null) c.bpftracePid = Number(m[1]);
      });
      if (shell.stdout) {
        const lines = createInterface({ input: shell.stdout, crlfDelay: Infinity });
        lines.on('line', (line) => {
          const r = reader.feed(line);
          if (!r) return;
          if ('attached' in r) onAttached?.();
          else waiters.get(r.marker)?.();
        });
      }
      void shell.then((res) => {
        exited = { code: res.exitCode ?? null, signal: res.signal ?? null };
        live.delete(c);
        onExit?.();
        onAttached?.();
      });

      const attached = new Promise<void>((resolve) => {
        if (reader.attachedProbes !== null) resolve();
        else onAttached = resolve;
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        attached.then(() => false),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(true), attachTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut || exited || reader.attachedProbes === null) {
        await this.stop();
        throw failure(timedOut ? `probes not attached within ${attachTimeoutMs} ms` : 'bpftrace could not load the program');
      }
      // attached_probes is printed before the last attach finishes; a marker that comes back
      // proves every probe is live (the marker probe is attached last).
      try {
        await marker();
      } catch (err) {
        await this.stop();
        throw err;
      }
    },

    async beforeRepetition(): Promise<void> {
      if (!program) return;
      before = { snapshot: await marker(), lost: reader.lostEvents, errors: new Map(reader.helperErrors) };
    },

    async afterRepetition(rep: RepetitionRef, _tasks: TaskSet): Promise<RepetitionCapture> {
      const capture: RepetitionCapture = { metrics: [], lost: [], notes: [] };
      if (!program || !before) {
        capture.lost.push('eBPF capture was not running for this repetition');
        return capture;
      }
      if (!rep.cgroup || !cgroupIds.has(rep.cgroup.id)) {
        capture.lost.push('repetition cgroup unknown to the eBPF program: nothing captured');
        return capture;
      }
      let after: Snapshot;
      try {
        after = await marker();
      } catch (err) {
        capture.lost.push((err as Error).message);
        return capture;
      }
      irqNames = { ...irqNames, ...(await readIrqNames()) };
      const syscallTable = syscallTableFor(facts.arch) ?? {};
      const { metrics, notes } = metricsFromSnapshots(before.snapshot, after, { program, spec, syscallTable, irqNames });
      capture.metrics = metrics;
      capture.notes = notes;
      const lost = reader.lostEvents - before.lost;
      if (lost > 0) capture.lost.push(`bpftrace lost ${lost} events`);
      for (const [k, n] of reader.helperErrors) {
        const d = n - (before.errors.get(k) ?? 0);
        // -7 (E2BIG) from map_update_elem is a full map: those updates were dropped.
        if (d > 0) capture.lost.push(`bpftrace helper error ${k} x${d}${/ -7\b/.test(k) ? ' (map full: updates dropped)' : ''}`);
      }
      for (const f of nearlyFullMaps(after, mapKeysMax)) capture.lost.push(`map nearly full: ${f}`);
      if (reader.unparsed.length > 0) capture.notes.push(`unparsed bpftrace output: ${reader.unparsed.splice(0).join(' | ').slice(0, 300)}`);
      const warnings = parseBpftraceStderr(stderr.replace(/^kdelta-bpftrace-pid \d+\n?/m, '')).warnings;
      if (warnings.length > 0) capture.notes.push(`bpftrace warnings: ${warnings.join('; ').slice(0, 300)}`);
      before = null;
      return capture;
    },

    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      const c = child;
      if (!c) return;
      if (!exited) {
        // Closing the pipe makes the watchdog send SIGINT, then SIGKILL after the grace period.
        // One SIGINT only: a second one while bpftrace detaches its probes delays its exit.
        c.shell.stdin?.end();
        const deadline = Date.now() + graceMs + 2_000;
        while (!exited && Date.now() < deadline) await delay(20);
        if (!exited) {
          try {
            if (c.bpftracePid) process.kill(c.bpftracePid, 'SIGKILL');
            if (c.shell.pid) process.kill(c.shell.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      }
      live.delete(c);
    },
  };
}
