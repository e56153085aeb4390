import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
import type { KernelParts } from '../../scenario/types.js';
import { spawnBpftrace, type BpftraceChild } from '../ebpf/bpftrace-child.js';
import { Markers } from '../ebpf/markers.js';
import { parseBpftraceStderr, type Snapshot } from '../ebpf/output.js';
import { DEFAULT_MAP_KEYS_MAX } from '../ebpf/program.js';
import type { CollectorSession, RepetitionCapture, RepetitionRef } from '../types.js';
import { readBlockDevices, readDropReasons, readMajorFaults, retransmitHasErr, type MajorFaults } from './kernel-facts.js';
import { kernelMetrics } from './metrics.js';
import { memoryControllerFor } from '../proc/cgroup-memory.js';
import { buildKernelProgram, KERNEL_MARKER_PREFIX } from './program.js';

export interface KernelSessionOptions {
  attachTimeoutMs?: number;
  markerTimeoutMs?: number;
  graceMs?: number;
  /** Receives the program text (for tests). */
  onProgram?: (text: string) => void;
}

interface State {
  parts: KernelParts;
  facts: MachineFacts;
  attachTimeoutMs: number;
  graceMs: number;
  markers: Markers;
  child: BpftraceChild | null;
  cgroupIds: Set<bigint>;
  dropReasons: Record<number, string>;
  majorBefore: MajorFaults | null;
  cut: boolean;
  stopped: boolean;
}

function failure(s: State, what: string): EnvironmentError {
  const report = parseBpftraceStderr(s.child?.stderr() ?? '');
  const why = report.errors.join('; ') || report.warnings.join('; ') || 'no output';
  return new EnvironmentError(`kernel collector: ${what}: ${why}`, { fix: 'run `kdelta doctor` to see which kernel parts this machine can run' });
}

async function cut(s: State): Promise<Snapshot> {
  const r = await s.markers.snapshot();
  if (r === 'timeout' || r === 'exit') throw failure(s, r === 'exit' ? 'bpftrace stopped' : 'no snapshot in time');
  return r;
}

async function stop(s: State): Promise<void> {
  if (s.stopped) return;
  s.stopped = true;
  await s.child?.stop(s.graceMs);
}

async function start(s: State, repetitions: RepetitionRef[], onProgram?: (text: string) => void): Promise<void> {
  if (!s.facts.bpftrace) throw new EnvironmentError('kernel collector: bpftrace is not installed', { fix: 'apt-get install bpftrace' });
  const ids = repetitions.flatMap((r) => (r.cgroup ? [r.cgroup.id] : []));
  s.cgroupIds = new Set(ids);
  // The cgroup's own pgmajfault needs the memory controller; where it cannot be had the
  // figure falls back to vmstat with a note (doctor says why).
  if (s.parts.faults) await memoryControllerFor(repetitions, s.facts.cgroup2, '/proc');
  const tracefs = s.facts.tracefs ?? '/sys/kernel/tracing';
  s.dropReasons = await readDropReasons(tracefs);
  const retransmitErr = s.parts.net ? await retransmitHasErr(tracefs) : false;
  const text = buildKernelProgram({ parts: s.parts, cgroupIds: ids, markerPid: process.pid, retransmitErr });
  onProgram?.(text);
  const child = spawnBpftrace({ bpftrace: s.facts.bpftrace.path, program: text, mapKeysMax: DEFAULT_MAP_KEYS_MAX, graceMs: s.graceMs, onLine: (l) => s.markers.feed(l) });
  s.child = child;
  void child.done.then(() => s.markers.exited());
  const attached = await s.markers.attached(s.attachTimeoutMs);
  try {
    if (attached !== 'attached' || child.exited()) throw failure(s, 'bpftrace could not attach the program');
    // A marker answered proves every probe is live (the marker probe is attached last).
    await cut(s);
  } catch (err) {
    await stop(s);
    throw err;
  }
}

async function after(s: State, rep: RepetitionRef): Promise<RepetitionCapture> {
  const capture: RepetitionCapture = { metrics: [], lost: [], notes: [] };
  if (!s.cut || !rep.cgroup || !s.cgroupIds.has(rep.cgroup.id)) {
    capture.lost.push('the kernel collector did not see this repetition start');
    return capture;
  }
  s.cut = false;
  const before = s.markers.reader.lostEvents;
  const snap = await cut(s);
  const majorAfter = s.parts.faults ? await readMajorFaults(rep.cgroup.path) : null;
  const majorFaults = majorAfter && s.majorBefore?.source === majorAfter.source ? { n: majorAfter.n - s.majorBefore.n, source: majorAfter.source } : null;
  capture.metrics = kernelMetrics(snap, { parts: s.parts, dropReasons: s.dropReasons, blockDevices: await readBlockDevices(), majorFaults });
  if (s.markers.reader.lostEvents > before) capture.lost.push(`bpftrace lost ${s.markers.reader.lostEvents - before} events`);
  if (s.parts.net || s.parts.block || s.parts.runqueue || s.parts.smpCalls) {
    capture.notes.push('net.skb.*, net.dev.*.packets, net.tcp.*, block.*, sched.runqueue_length.* and kernel.smp_call.count are machine-wide; mem.faults.* are the workload cgroup\'s');
  }
  if (majorFaults?.source === 'vmstat') capture.notes.push('mem.faults.major.count is the machine\'s (vmstat pgmajfault): the repetition cgroup has no memory.stat, and mem.faults.minor.count then includes the workload\'s major faults');
  return capture;
}

/**
 * The kernel collector: one bpftrace over all repetitions; a marker before each repetition
 * empties the maps and one after it cuts the repetition's figures.
 */
export function createKernelSession(parts: KernelParts, facts: MachineFacts, options: KernelSessionOptions = {}): CollectorSession {
  const markerTimeoutMs = options.markerTimeoutMs ?? 10_000;
  const s: State = {
    parts,
    facts,
    attachTimeoutMs: options.attachTimeoutMs ?? 30_000,
    graceMs: options.graceMs ?? 3_000,
    markers: new Markers(markerTimeoutMs, undefined, KERNEL_MARKER_PREFIX),
    child: null,
    cgroupIds: new Set(),
    dropReasons: {},
    majorBefore: null,
    cut: false,
    stopped: false,
  };
  return {
    name: 'kernel',
    start: (reps) => start(s, reps, options.onProgram),
    async beforeRepetition(rep): Promise<void> {
      if (!s.child) return;
      s.majorBefore = s.parts.faults && rep.cgroup ? await readMajorFaults(rep.cgroup.path) : null;
      await cut(s);
      s.cut = true;
    },
    afterRepetition: (rep) => after(s, rep),
    stop: () => stop(s),
  };
}
