import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError, InputError } from '../../errors.js';
import type { EbpfSpec } from '../../scenario/types.js';
import { readIrqNames } from '../ebpf/session.js';
import { syscallNumbers, syscallTableFor } from '../../kernel/syscalls/table.js';
import { probeText } from '../../scenario/probes.js';
import type { Availability, CgroupRef, CollectorSession, RepetitionCapture, RepetitionRef, TaskSet } from '../types.js';
import { calibrationCache, type CachedCalibration, type CalibrationCache } from './calibration-cache.js';
import { LoaderChannel } from './channel.js';
import type { Dump, ReadyLine } from './dump.js';
import { groupNamer, type GroupNamer } from './groups.js';
import { metricsFromDump } from './metrics.js';
import { timelineFromDump } from './timeline.js';

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
  /** Where an earlier run's calibration is reused from; null measures every time. Default: /run/kdelta. */
  calibrationCache?: CalibrationCache | null;
  loader?: string;
}

export { killBpfChildrenSync } from './channel.js';

function loaderArgs(spec: EbpfSpec, facts: MachineFacts, calibCgroup: string | null, service: boolean): { args: string[]; sample: number } {
  // The service's side doubles the syscall maps: only when there is one to admit.
  const args: string[] = service ? ['--sides', '2'] : [];
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
  if (spec.threads) args.push('--threads');
  if (spec.timeline && spec.readyDelay) args.push('--timeline');
  if (spec.window) {
    args.push('--win-start', probeText(spec.window.start), '--win-stop', probeText(spec.window.stop));
    if (spec.window.minNs > 0) args.push('--win-min', String(spec.window.minNs));
    if (spec.window.per === 'process') args.push('--win-process');
  }
  if (calibCgroup) args.push('--calib-cgroup', calibCgroup);
  return { args, sample };
}

interface DumpReader {
  /** Before the loader starts: the IRQ names. */
  prime: () => Promise<void>;
  read: (d: Dump, capture: RepetitionCapture) => Promise<void>;
}

/** Turns one dump into a repetition's metrics; keeps the IRQ names it has looked up. */
function dumpReader(spec: EbpfSpec, facts: MachineFacts, group: GroupNamer, channel: () => LoaderChannel | null, cached: () => CachedCalibration | null, service: () => boolean): DumpReader {
  const sample = spec.syscalls ? Math.max(1, Math.floor(spec.syscalls.sample)) : 1;
  let irqNames: Record<number, string> = {};
  const irqLooked = new Set<number>();
  const prime = async (): Promise<void> => {
    irqNames = spec.irq ? await readIrqNames() : {};
  };
  const read = async (d: Dump, capture: RepetitionCapture): Promise<void> => {
    const ch = channel();
    // Reading every /sys/kernel/irq/<n>/actions takes ~5 ms: only when an IRQ number is new.
    if (d.hard.some((r) => !irqLooked.has(r.key))) {
      irqNames = { ...irqNames, ...(await readIrqNames()) };
      for (const r of d.hard) irqLooked.add(r.key);
    }
    const ready = ch?.ready;
    const reused = cached();
    const cost = reused ?? { syscall: ready?.costSyscallNs ?? null, switch: ready?.costSwitchNs ?? null };
    const m = metricsFromDump(d, { spec, sample, syscallTable: syscallTableFor(facts.arch) ?? {}, irqNames, cost, group, service: service() });
    capture.metrics = m.metrics;
    capture.notes = [...m.notes, 'captured by the libbpf loader (tp_btf)'];
    if (reused) capture.notes.push(`capture.cost.* from the calibration an earlier run made ${Math.round((Date.now() - reused.measuredAt) / 1000)} s ago with the same loader and programs on this boot`);
    capture.lost = m.lost;
    const timeline = spec.timeline ? timelineFromDump(d, ready?.ncpu ?? 0, group) : null;
    if (timeline) {
      capture.tables = { timeline };
      if (timeline.lost > 0) capture.lost.push(`timeline map full or repetition past ${4096 * 10} ms: ${timeline.lost} updates dropped`);
    }
    if (ch && ch.unparsed.length > 0) capture.notes.push(`unparsed loader output: ${ch.unparsed.splice(0).join(' | ').slice(0, 300)}`);
  };
  return { prime, read };
}

/**
 * The libbpf capture as a collector: the same start / per-repetition / stop shape as the
 * bpftrace session; the loader dies with kdelta (see LoaderChannel).
 */
export function createBpfSession(spec: EbpfSpec, facts: MachineFacts, options: BpfSessionOptions = {}): CollectorSession & { readonly ready: ReadyLine | null } {
  const startTimeoutMs = options.startTimeoutMs ?? 10_000;
  const dumpTimeoutMs = options.dumpTimeoutMs ?? 10_000;
  let ch: LoaderChannel | null = null;
  // Compiled before anything is loaded: a bad pattern is the scenario's fault, exit 2.
  const group = groupNamer(spec.roles);

  const cache = options.calibrationCache === undefined ? calibrationCache(options.loader ?? BPF_LOADER) : options.calibrationCache;
  let reused: CachedCalibration | null = null;
  // The scenario's service cgroup, admitted on side 1 beside each repetition's.
  let service: CgroupRef | null = null;
  const reader = dumpReader(spec, facts, group, () => ch, () => reused, () => service !== null);

  return {
    name: 'ebpf',
    get ready() {
      return ch?.ready ?? null;
    },

    async start(repetitions: RepetitionRef[]): Promise<void> {
      if (repetitions.some((r) => !r.cgroup)) throw new EnvironmentError('eBPF capture (libbpf): every repetition needs a cgroup');
      service = repetitions.find((r) => r.service)?.service ?? null;
      // Under windows the calibration's processes open a window for themselves (the loader does it).
      const calibrate = options.calibrate !== false && facts.cgroup2 !== null;
      const plain = loaderArgs(spec, facts, null, service !== null).args;
      reused = calibrate ? (cache?.read(plain) ?? null) : null;
      const calib = calibrate && !reused ? join(facts.cgroup2!, `kdelta-calib-${process.pid}`) : null;
      const args = loaderArgs(spec, facts, calib, service !== null).args;
      await reader.prime();
      const c = new LoaderChannel(options.loader ?? BPF_LOADER, args);
      ch = c;
      const r = await c.request<ReadyLine>('ready', null, startTimeoutMs).catch(async (e: unknown) => {
        await c.close();
        throw e;
      });
      if (!r) {
        await c.close();
        throw c.fail('the loader could not attach its programs');
      }
      if (calib) await cache?.write(plain, { syscall: r.costSyscallNs, switch: r.costSwitchNs });
    },

    async beforeRepetition(rep: RepetitionRef): Promise<void> {
      if (!ch || !rep.cgroup) return;
      // A loader that died between repetitions is a collector that died: the runner marks its
      // metrics unavailable from here on instead of reading zeros from a capture that is gone.
      if (!ch.running) throw ch.fail(`the loader stopped (${ch.exitedHow ?? 'unknown'})`);
      // Both commands in one write: the loader answers them in order, one round trip.
      const ids = [rep.cgroup.id.toString(), ...(service ? [`${service.id.toString()}:1`] : [])];
      const [admitted] = await Promise.all([ch.request<number>('admitted', `admit ${ids.join(' ')}`, dumpTimeoutMs), ch.dump(dumpTimeoutMs)]);
      if (admitted !== null && admitted !== ids.length) throw ch.fail(`the loader admitted ${admitted} of the ${ids.length} cgroups (${ids.join(' ')})`);
    },

    async afterRepetition(rep: RepetitionRef, _tasks: TaskSet): Promise<RepetitionCapture> {
      const capture: RepetitionCapture = { metrics: [], lost: [], notes: [] };
      if (!ch || !rep.cgroup) {
        capture.lost.push('eBPF capture (libbpf) was not running for this repetition');
        return capture;
      }
      if (!ch.running) throw ch.fail(`the loader stopped (${ch.exitedHow ?? 'unknown'})`);
      const d = await ch.dump(dumpTimeoutMs);
      if (!d) throw ch.fail(`the loader stopped during the repetition (${ch.exitedHow ?? 'unknown'})`);
      await reader.read(d, capture);
      return capture;
    },

    async stop(): Promise<void> {
      await ch?.close();
    },
  };
}
