import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError, InputError } from '../../errors.js';
import type { EbpfSpec } from '../../scenario/types.js';
import { readIrqNames } from '../ebpf/session.js';
import { syscallNumbers, syscallTableFor } from '../ebpf/syscall-table.js';
import type { Availability, CollectorSession, RepetitionCapture, RepetitionRef, TaskSet } from '../types.js';
import { emptyDump, parseLoaderLine, type Dump, type ReadyLine } from './dump.js';
import { metricsFromDump } from './metrics.js';

/** helpers/bin/kdelta-bpf: src/collect/bpf/ (or dist/collect/bpf/) is three folders below the package root. */
export const BPF_LOADER = fileURLToPath(new URL('../../../helpers/bin/kdelta-bpf', import.meta.url));

/**
 * Whether the libbpf capture can run here. When it cannot, the bpftrace capture is used
 * instead; the reason is what `doctor` shows.
 */
export function bpfAvailability(facts: MachineFacts, loader = BPF_LOADER): Availability {
  const no = (reason: string, fix: string): Availability => ({ state: 'unavailable', reason, fix, disables: [] });
  if (!facts.isRoot && !facts.hasBpfCaps) return no('not root and no CAP_BPF + CAP_PERFMON', 'run kdelta as root');
  if (!facts.btf) return no('the kernel has no BTF (/sys/kernel/btf/vmlinux): tp_btf programs cannot attach', 'use a kernel built with CONFIG_DEBUG_INFO_BTF');
  if (!facts.cgroup2) return no('no cgroup v2 mount: the capture filters on the workload cgroup', 'mount cgroup2');
  if (!syscallTableFor(facts.arch)) return no(`no syscall table for ${facts.arch}`, 'turn collect.ebpf.syscalls off');
  try {
    accessSync(loader, constants.X_OK);
  } catch {
    return no(`${loader} is not built`, 'apt-get install clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool, then npm run build:helpers');
  }
  return { state: 'ready', detail: 'libbpf loader, tp_btf programs (CO-RE)' };
}

export interface BpfSessionOptions {
  startTimeoutMs?: number;
  dumpTimeoutMs?: number;
  /** Measure the capture's own cost per event at start (a calibration cgroup). Default true. */
  calibrate?: boolean;
  loader?: string;
}

const live = new Set<ChildProcess>();

/** Kills every loader synchronously (signal handlers); a kdelta killed outright closes their stdin, which ends them. */
export function killBpfChildrenSync(): number {
  let n = 0;
  for (const c of live) {
    if (c.pid && c.kill('SIGKILL')) n++;
  }
  return n;
}

function loaderArgs(spec: EbpfSpec, facts: MachineFacts, calibCgroup: string | null): { args: string[]; sample: number } {
  const args: string[] = [];
  let sample = 1;
  if (spec.syscalls) {
    args.push('--syscalls');
    sample = Math.max(1, Math.floor(spec.syscalls.sample));
    args.push('--sample', String(sample));
    const numbers = syscallNumbers(syscallTableFor(facts.arch) ?? {});
    const ids = (names: string[], what: string): string =>
      names
        .map((n) => {
          const id = numbers.get(n);
          if (id === undefined) throw new InputError(`unknown syscall "${n}" in collect.ebpf.syscalls.${what} (${facts.arch})`);
          return id;
        })
        .join(',');
    if (spec.syscalls.include.length > 0) args.push('--only', ids(spec.syscalls.include, 'include'));
    if (spec.syscalls.exclude.length > 0) args.push('--skip', ids(spec.syscalls.exclude, 'exclude'));
  }
  if (spec.readyDelay) args.push('--ready');
  if (spec.irq) args.push('--irq');
  if (calibCgroup) args.push('--calib-cgroup', calibCgroup);
  return { args, sample };
}

/**
 * The libbpf capture as a collector: the same start / per-repetition / stop shape as the
 * bpftrace session. The loader holds kdelta's pipe on its stdin; when the pipe closes (kdelta
 * ends in any way, even SIGKILL) it exits and the kernel drops every link with its fds.
 */
export function createBpfSession(spec: EbpfSpec, facts: MachineFacts, options: BpfSessionOptions = {}): CollectorSession & { readonly ready: ReadyLine | null } {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dumpTimeoutMs = options.dumpTimeoutMs ?? 10_000;
  let child: ChildProcess | null = null;
  let ready: ReadyLine | null = null;
  let sample = 1;
  let stderr = '';
  let exited = false;
  let irqNames: Record<number, string> = {};
  const irqLooked = new Set<number>();
  let current = emptyDump();
  const waiting: Array<{ want: 'ready' | 'admitted' | 'end'; resolve: (v: unknown) => void }> = [];
  const unparsed: string[] = [];

  const fail = (what: string): EnvironmentError =>
    new EnvironmentError(`eBPF capture (libbpf): ${what}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join('; ')}` : ''}`, {
      fix: 'run `kdelta doctor`; set KDELTA_EBPF=bpftrace to use the bpftrace capture',
    });

  function request<T>(want: 'ready' | 'admitted' | 'end', line: string | null, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (exited || !child) return reject(fail('the loader is not running'));
      const timer = setTimeout(() => reject(fail(`no answer to ${line ?? 'start'} within ${timeoutMs} ms`)), timeoutMs);
      waiting.push({
        want,
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
      });
      if (line !== null) child.stdin?.write(`${line}\n`);
    });
  }

  function onLine(line: string): void {
    const p = parseLoaderLine(line);
    if (!p) return;
    const settle = (want: string, v: unknown): void => {
      const i = waiting.findIndex((w) => w.want === want);
      if (i >= 0) waiting.splice(i, 1)[0]?.resolve(v);
    };
    if (p.kind === 'ready') {
      ready = p.ready;
      settle('ready', p.ready);
    } else if (p.kind === 'admitted') settle('admitted', p.n);
    else if (p.kind === 'map') p.apply(current);
    else if (p.kind === 'end') {
      const d = current;
      current = emptyDump();
      settle('end', d);
    } else if (unparsed.length < 10) unparsed.push(p.line);
  }

  const dump = (): Promise<Dump> => request<Dump>('end', 'dump', dumpTimeoutMs);

  return {
    name: 'ebpf',
    get ready() {
      return ready;
    },

    async start(repetitions: RepetitionRef[]): Promise<void> {
      if (repetitions.some((r) => !r.cgroup)) throw fail('every repetition needs a cgroup');
      const calib = options.calibrate !== false && facts.cgroup2 ? join(facts.cgroup2, `kdelta-calib-${process.pid}`) : null;
      const built = loaderArgs(spec, facts, calib);
      sample = built.sample;
      irqNames = spec.irq ? await readIrqNames() : {};
      const c = spawn(options.loader ?? BPF_LOADER, built.args, { stdio: ['pipe', 'pipe', 'pipe'] });
      child = c;
      live.add(c);
      c.stderr?.setEncoding('utf8');
      c.stderr?.on('data', (s: string) => (stderr = (stderr + s).slice(-4000)));
      if (c.stdout) createInterface({ input: c.stdout, crlfDelay: Infinity }).on('line', onLine);
      c.on('error', (e) => (stderr += e.message));
      c.on('exit', () => {
        exited = true;
        live.delete(c);
        for (const w of waiting.splice(0)) w.resolve(null);
      });
      const r = await request<ReadyLine | null>('ready', null, startTimeoutMs).catch(async (e: unknown) => {
        await this.stop();
        throw e;
      });
      if (!r) {
        await this.stop();
        throw fail('the loader could not attach its programs');
      }
    },

    async beforeRepetition(rep: RepetitionRef): Promise<void> {
      if (!child || exited || !rep.cgroup) return;
      // Both commands in one write: the loader answers them in order, one round trip.
      await Promise.all([request<number>('admitted', `admit ${rep.cgroup.id.toString()}`, dumpTimeoutMs), dump()]);
    },

    async afterRepetition(rep: RepetitionRef, _tasks: TaskSet): Promise<RepetitionCapture> {
      const capture: RepetitionCapture = { metrics: [], lost: [], notes: [] };
      if (!child || exited || !rep.cgroup) {
        capture.lost.push('eBPF capture (libbpf) was not running for this repetition');
        return capture;
      }
      let d: Dump | null;
      try {
        d = await dump();
      } catch (err) {
        capture.lost.push((err as Error).message);
        return capture;
      }
      if (!d) {
        capture.lost.push('eBPF capture (libbpf) stopped during the repetition');
        return capture;
      }
      // Reading every /sys/kernel/irq/<n>/actions takes ~5 ms: only when an IRQ number is new.
      if (d.hard.some((r) => !irqLooked.has(r.key))) {
        irqNames = { ...irqNames, ...(await readIrqNames()) };
        for (const r of d.hard) irqLooked.add(r.key);
      }
      const cost = { syscall: ready?.costSyscallNs ?? null, switch: ready?.costSwitchNs ?? null };
      const m = metricsFromDump(d, { spec, sample, syscallTable: syscallTableFor(facts.arch) ?? {}, irqNames, cost });
      capture.metrics = m.metrics;
      capture.notes = [...m.notes, 'captured by the libbpf loader (tp_btf)'];
      capture.lost = m.lost;
      if (unparsed.length > 0) capture.notes.push(`unparsed loader output: ${unparsed.splice(0).join(' | ').slice(0, 300)}`);
      return capture;
    },

    async stop(): Promise<void> {
      const c = child;
      if (!c || exited) return;
      c.stdin?.end();
      const deadline = Date.now() + 3_000;
      while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      if (!exited) c.kill('SIGKILL');
      live.delete(c);
    },
  };
}
