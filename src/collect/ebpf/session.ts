import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
import type { EbpfSpec } from '../../scenario/types.js';
import type { CollectorSession, RepetitionCapture, RepetitionRef } from '../types.js';
import { spawnBpftrace, type BpftraceChild } from './bpftrace-child.js';
import { readIrqNames, readTracingFacts } from './kernel-info.js';
import { Markers } from './markers.js';
import { metricsFromSnapshots, nearlyFullMaps } from './metrics.js';
import { parseBpftraceStderr, type Snapshot } from './output.js';
import { buildProgram, DEFAULT_MAP_KEYS_MAX, type BuiltProgram } from './program.js';
import { syscallTableFor } from '../../kernel/syscalls/table.js';

export { killEbpfChildrenSync } from './bpftrace-child.js';
export { preemptedBitFromFormat, readIrqNames } from './kernel-info.js';
export { EBPF_METRICS, ebpfAvailability } from './availability.js';

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

type Settings = Required<Omit<EbpfSessionOptions, 'onProgram'>> & Pick<EbpfSessionOptions, 'onProgram'>;

/** Counters of the reader at the start of a repetition, to tell what this repetition lost. */
interface Before {
  snapshot: Snapshot;
  lost: number;
  errors: Map<string, number>;
}

/** One eBPF capture for one scenario: bpftrace running kdelta's program over the scenario's cgroups. */
interface Capture {
  readonly spec: EbpfSpec;
  readonly facts: MachineFacts;
  readonly settings: Settings;
  readonly markers: Markers;
  child: BpftraceChild | null;
  program: BuiltProgram | null;
  /** The repetition cgroups the program admits; a repetition outside them has nothing captured. */
  cgroupIds: Set<bigint>;
  irqNames: Record<number, string>;
  before: Before | null;
  stopped: boolean;
}

/** An EnvironmentError saying what went wrong, with bpftrace's own words when it printed any. */
function failure(c: Capture, what: string): EnvironmentError {
  const report = parseBpftraceStderr(c.child?.stderr() ?? '');
  const exited = c.child?.exited() ?? null;
  const why = report.errors.length > 0 ? report.errors.join('; ') : report.warnings.join('; ') || (exited ? `bpftrace exited (${exited.signal ?? exited.code})` : 'no output');
  return new EnvironmentError(`eBPF capture: ${what}: ${why}`, { fix: 'run `kdelta doctor`; check that tracefs is mounted and that bpftrace runs as root' });
}

async function snapshot(c: Capture): Promise<Snapshot> {
  const r = await c.markers.snapshot();
  if (r === 'timeout') throw failure(c, `no snapshot within ${c.settings.markerTimeoutMs} ms`);
  if (r === 'exit') throw failure(c, 'bpftrace stopped');
  return r;
}

/** Builds the program for these repetitions' cgroups, starts bpftrace, and waits until every probe is live. */
async function startCapture(c: Capture, repetitions: RepetitionRef[]): Promise<void> {
  if (!c.facts.bpftrace) throw new EnvironmentError('eBPF capture: bpftrace is not installed');
  const ids = repetitions.flatMap((r) => (r.cgroup ? [r.cgroup.id] : []));
  c.cgroupIds = new Set(ids);
  const tracing = await readTracingFacts(c.facts);
  const program = buildProgram({ spec: c.spec, cgroupIds: ids, markerPid: process.pid, arch: c.facts.arch, preemptedStateBit: tracing.preemptedStateBit });
  c.program = program;
  c.settings.onProgram?.(program.text);
  c.irqNames = await readIrqNames();

  const child = spawnBpftrace({ bpftrace: c.facts.bpftrace.path, program: program.text, mapKeysMax: c.settings.mapKeysMax, graceMs: c.settings.graceMs, onLine: (line) => c.markers.feed(line) });
  c.child = child;
  void child.done.then(() => c.markers.exited());

  const attached = await c.markers.attached(c.settings.attachTimeoutMs);
  if (attached !== 'attached' || child.exited()) {
    await stopCapture(c);
    throw failure(c, attached === 'timeout' ? `probes not attached within ${c.settings.attachTimeoutMs} ms` : 'bpftrace could not load the program');
  }
  // attached_probes is printed before the last attach finishes; a marker that comes back
  // proves every probe is live (the marker probe is attached last).
  try {
    await snapshot(c);
  } catch (err) {
    await stopCapture(c);
    throw err;
  }
}

/** What the reader says was lost or doubtful between `before` and `after`. */
function lostSince(c: Capture, before: Before, after: Snapshot): string[] {
  const reader = c.markers.reader;
  const lost: string[] = [];
  const events = reader.lostEvents - before.lost;
  if (events > 0) lost.push(`bpftrace lost ${events} events`);
  for (const [k, n] of reader.helperErrors) {
    const d = n - (before.errors.get(k) ?? 0);
    // -7 (E2BIG) from map_update_elem is a full map: those updates were dropped.
    if (d > 0) lost.push(`bpftrace helper error ${k} x${d}${/ -7\b/.test(k) ? ' (map full: updates dropped)' : ''}`);
  }
  for (const f of nearlyFullMaps(after, c.settings.mapKeysMax)) lost.push(`map nearly full: ${f}`);
  return lost;
}

/**
 * The repetition's metrics: the difference of the snapshots around it. bpftrace gone is the
 * capture dying (thrown, the runner stops using it); a late snapshot is loss in this repetition.
 */
async function captureRepetition(c: Capture, rep: RepetitionRef): Promise<RepetitionCapture> {
  const capture: RepetitionCapture = { metrics: [], lost: [], notes: [] };
  const { program, before } = c;
  if (!program || !before) {
    capture.lost.push('eBPF capture was not running for this repetition');
    return capture;
  }
  if (!rep.cgroup || !c.cgroupIds.has(rep.cgroup.id)) {
    capture.lost.push('repetition cgroup unknown to the eBPF program: nothing captured');
    return capture;
  }
  let after: Snapshot;
  try {
    after = await snapshot(c);
  } catch (err) {
    if (c.child?.exited()) throw err;
    capture.lost.push((err as Error).message);
    return capture;
  }
  c.irqNames = { ...c.irqNames, ...(await readIrqNames()) };
  const syscallTable = syscallTableFor(c.facts.arch) ?? {};
  const { metrics, notes } = metricsFromSnapshots(before.snapshot, after, { program, spec: c.spec, syscallTable, irqNames: c.irqNames });
  capture.metrics = metrics;
  capture.notes = notes;
  capture.lost.push(...lostSince(c, before, after));
  const reader = c.markers.reader;
  if (reader.unparsed.length > 0) capture.notes.push(`unparsed bpftrace output: ${reader.unparsed.splice(0).join(' | ').slice(0, 300)}`);
  const warnings = parseBpftraceStderr(c.child?.stderr() ?? '').warnings;
  if (warnings.length > 0) capture.notes.push(`bpftrace warnings: ${warnings.join('; ').slice(0, 300)}`);
  c.before = null;
  return capture;
}

async function stopCapture(c: Capture): Promise<void> {
  if (c.stopped) return;
  c.stopped = true;
  await c.child?.stop(c.settings.graceMs);
}

export function createEbpfSession(spec: EbpfSpec, facts: MachineFacts, options: EbpfSessionOptions = {}): CollectorSession {
  const settings: Settings = {
    attachTimeoutMs: options.attachTimeoutMs ?? 30_000,
    markerTimeoutMs: options.markerTimeoutMs ?? 10_000,
    graceMs: options.graceMs ?? 3_000,
    mapKeysMax: options.mapKeysMax ?? DEFAULT_MAP_KEYS_MAX,
    ...(options.onProgram && { onProgram: options.onProgram }),
  };
  const c: Capture = { spec, facts, settings, markers: new Markers(settings.markerTimeoutMs), child: null, program: null, cgroupIds: new Set(), irqNames: {}, before: null, stopped: false };
  return {
    name: 'ebpf',
    start: (repetitions) => startCapture(c, repetitions),
    async beforeRepetition(): Promise<void> {
      if (!c.program) return;
      const reader = c.markers.reader;
      c.before = { snapshot: await snapshot(c), lost: reader.lostEvents, errors: new Map(reader.helperErrors) };
    },
    afterRepetition: (rep) => captureRepetition(c, rep),
    stop: () => stopCapture(c),
  };
}
