import { accessSync, constants } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
import { syscallTableFor } from '../../kernel/syscalls/table.js';
import { Symbolizer } from '../../kernel/symbolizer.js';
import type { SlowCall, SlowCallRepetition } from '../../run/syscall-events.js';
import type { SlowCallSpec } from '../../scenario/types.js';
import type { Availability, CollectorSession, RepetitionCapture, RepetitionRef } from '../types.js';
import { EventsChannel, type EventsDump } from './events-channel.js';
import type { RawEvent } from './events-parse.js';

/** helpers/bin/kdelta-events: src/collect/bpf/ (or dist/collect/bpf/) is three folders below the package root. */
export const EVENTS_LOADER = fileURLToPath(new URL('../../../helpers/bin/kdelta-events', import.meta.url));

export const EVENTS_METRICS = ['syscall.slow.count'] as const;

/** Whether the slow-call capture can run here, and if not, why (what doctor shows). */
export function eventsAvailability(facts: MachineFacts, loader = EVENTS_LOADER): Availability {
  const no = (reason: string, fix: string): Availability => ({ state: 'unavailable', reason, fix, disables: [...EVENTS_METRICS, 'slow-call events'] });
  if (!facts.isRoot && !facts.hasBpfCaps) return no('not root and no CAP_BPF + CAP_PERFMON', 'run kdelta as root');
  if (!facts.btf) return no('the kernel has no BTF (/sys/kernel/btf/vmlinux): tp_btf programs cannot attach', 'use a kernel built with CONFIG_DEBUG_INFO_BTF');
  if (!facts.cgroup2) return no('no cgroup v2 mount: the capture filters on the workload cgroup', 'mount cgroup2');
  try {
    accessSync(loader, constants.X_OK);
  } catch {
    return no(`${loader} is not built`, 'apt-get install clang llvm libbpf-dev libelf-dev zlib1g-dev bpftool, then npm run build:helpers');
  }
  return { state: 'ready', detail: 'libbpf loader, tp_btf sys_enter/sys_exit, ring buffer, stacks' };
}

/** The capture's own frames, innermost: the BPF program and the tracepoint that ran it. */
const OWN_FRAME = /^(bpf_prog_|bpf_trace_run|__bpf_trace_|__traceiter_)/u;

function withoutOwnFrames(frames: string[]): string[] {
  const first = frames.findIndex((f) => !OWN_FRAME.test(f));
  return first < 0 ? [] : frames.slice(first);
}

/** The kept events of one dump, symbolized, in the order the calls started. */
export function slowCallsOf(d: EventsDump, spec: SlowCallSpec, arch: string, symbolizer: Symbolizer): Omit<SlowCallRepetition, 'repetition'> {
  const table = syscallTableFor(arch) ?? {};
  const call = (e: RawEvent): SlowCall => ({
    t: e.t,
    pid: e.pid,
    tid: e.tid,
    comm: e.comm,
    syscall: table[e.nr] ?? `syscall_${e.nr}`,
    nr: e.nr,
    durationNs: e.durationNs,
    ret: e.ret,
    user: spec.stacks ? symbolizer.user(e.user, e.top, e.maps) : [],
    kernel: spec.stacks ? withoutOwnFrames(symbolizer.kernelFrames(e.kernel)) : [],
  });
  const events = [...d.events].sort((a, b) => a.t - b.t).map(call);
  return { seen: d.seen, dropped: Math.max(0, d.seen - spec.max), lost: d.ringFull, events };
}

export interface EventsSessionOptions {
  loader?: string;
  timeoutMs?: number;
  symbolizer?: Symbolizer;
}

/** The slow-call capture as a collector: a loader of its own, started once per scenario. */
export function createEventsSession(spec: SlowCallSpec, facts: MachineFacts, options: EventsSessionOptions = {}): CollectorSession {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const symbolizer = options.symbolizer ?? new Symbolizer();
  let ch: EventsChannel | null = null;
  const args = ['--over', String(Math.round(spec.overNs)), '--max', String(spec.max), ...(spec.stacks ? [] : ['--no-stacks'])];
  return {
    name: 'events',
    async start(repetitions: RepetitionRef[]): Promise<void> {
      if (repetitions.some((r) => !r.cgroup)) throw new EnvironmentError('slow-call events: every repetition needs a cgroup');
      const c = new EventsChannel(options.loader ?? EVENTS_LOADER, args);
      ch = c;
      const r = await c.request('ready', null, timeoutMs).catch(async (e: unknown) => {
        await c.close();
        throw e;
      });
      if (!r) {
        await c.close();
        throw c.fail('the loader could not attach its programs');
      }
    },
    async beforeRepetition(rep: RepetitionRef): Promise<void> {
      if (!ch || !rep.cgroup) return;
      if (!ch.running) throw ch.fail(`the loader stopped (${ch.exitedHow ?? 'unknown'})`);
      await ch.admit(rep.cgroup.id, timeoutMs);
    },
    async afterRepetition(rep: RepetitionRef): Promise<RepetitionCapture> {
      const capture: RepetitionCapture = { metrics: [], lost: [], notes: [] };
      if (!ch || !rep.cgroup) {
        capture.lost.push('slow-call events were not captured in this repetition');
        return capture;
      }
      const d = ch.running ? await ch.dump(timeoutMs) : null;
      if (!d) throw ch.fail(`the loader stopped during the repetition (${ch.exitedHow ?? 'unknown'})`);
      const got = slowCallsOf(d, spec, facts.arch, symbolizer);
      capture.metrics.push({ name: 'syscall.slow.count', unit: '1', better: 'lower', value: got.seen, source: 'ebpf', zeroWhenAbsent: true });
      capture.tables = { syscallEvents: got };
      if (got.lost > 0) capture.lost.push(`slow-call events: the ring buffer was full, ${got.lost} events lost`);
      if (got.dropped > 0) capture.notes.push(`slow-call events: more calls than max (${spec.max}) in a repetition; the rest are counted as dropped`);
      if (ch.unparsed.length > 0) capture.notes.push(`unparsed loader output: ${ch.unparsed.splice(0).join(' | ').slice(0, 300)}`);
      return capture;
    },
    async stop(): Promise<void> {
      await ch?.close();
    },
  };
}
