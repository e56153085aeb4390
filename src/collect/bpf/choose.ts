import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
import { syscallNumbers, syscallTableFor } from '../../kernel/syscalls/table.js';
import type { EbpfSpec } from '../../scenario/types.js';
import { createEbpfSession, ebpfAvailability } from '../ebpf/session.js';
import type { Availability, CollectorSession, RepetitionCapture, RepetitionRef, TaskSet } from '../types.js';
import { bpfAvailability, createBpfSession } from './session.js';

/** `KDELTA_EBPF=bpftrace` forces the bpftrace capture; `libbpf` refuses the fallback. */
export type CaptureBackend = 'auto' | 'libbpf' | 'bpftrace';

export function captureBackend(env: NodeJS.ProcessEnv = process.env): CaptureBackend {
  const v = env.KDELTA_EBPF;
  return v === 'libbpf' || v === 'bpftrace' ? v : 'auto';
}

/** Ready when either capture can run: libbpf where it is built and the kernel has BTF, else bpftrace. */
export function captureAvailability(facts: MachineFacts, backend = captureBackend()): Availability {
  const lib = bpfAvailability(facts);
  if (backend !== 'bpftrace' && lib.state === 'ready') return lib;
  if (backend === 'libbpf') return lib;
  const bt = ebpfAvailability(facts);
  if (bt.state === 'ready' && lib.state === 'unavailable' && backend === 'auto') return { state: 'ready', detail: `${bt.detail ?? 'bpftrace'} (libbpf capture unavailable: ${lib.reason})` };
  return bt;
}

/**
 * A return probe comes back through the `uretprobe` system call where the kernel has it
 * (x86_64 since 6.11), once per hit: with a uretprobe start or stop every window would count one
 * call that only kdelta's own probe made. That call is left out of the capture unless the
 * scenario names it in `collect.ebpf.syscalls.include`; the note says so.
 */
export function withoutObserverSyscalls(spec: EbpfSpec, arch: string): { spec: EbpfSpec; note: string | null } {
  const w = spec.window;
  const sys = spec.syscalls;
  if (!w || !sys || (w.start.kind !== 'uretprobe' && w.stop.kind !== 'uretprobe')) return { spec, note: null };
  // A non-empty include already leaves it out, or names it on purpose.
  if (sys.include.length > 0 || sys.exclude.includes('uretprobe')) return { spec, note: null };
  if (!syscallNumbers(syscallTableFor(arch) ?? {}).has('uretprobe')) return { spec, note: null };
  return {
    spec: { ...spec, syscalls: { ...sys, exclude: [...sys.exclude, 'uretprobe'] } },
    note: 'syscall uretprobe left out: the window\'s return probe comes back through it (kdelta\'s own call); name it in collect.ebpf.syscalls.include to count it',
  };
}

/**
 * The eBPF collector: the libbpf capture where it runs, the bpftrace capture where it does not
 * (not built, no BTF, refused at load or attach), said in every repetition's notes.
 */
export function createEbpfCapture(spec: EbpfSpec, facts: MachineFacts, backend = captureBackend()): CollectorSession {
  let inner: CollectorSession | null = null;
  let fallbackNote: string | null = null;
  let observerNote: string | null = null;
  return {
    name: 'ebpf',
    async start(repetitions: RepetitionRef[]): Promise<void> {
      if (backend !== 'bpftrace' && bpfAvailability(facts).state === 'ready') {
        const own = withoutObserverSyscalls(spec, facts.arch);
        const lib = createBpfSession(own.spec, facts);
        try {
          await lib.start(repetitions);
          inner = lib;
          observerNote = own.note;
          return;
        } catch (err) {
          // The bpftrace capture has no windows: falling back would measure outside them unsaid.
          if (backend === 'libbpf' || spec.window || !(err instanceof EnvironmentError)) throw err;
          fallbackNote = `libbpf capture could not start (${err.message}); bpftrace used instead`;
        }
      } else if (backend === 'libbpf') {
        const a = bpfAvailability(facts);
        throw new EnvironmentError(`eBPF capture (libbpf): ${a.state === 'unavailable' ? a.reason : 'unavailable'}`);
      }
      if (spec.window) {
        const a = bpfAvailability(facts);
        const why = backend === 'bpftrace' ? 'KDELTA_EBPF=bpftrace forces the bpftrace capture' : a.state === 'unavailable' ? a.reason : 'unavailable';
        throw new EnvironmentError(`collect.ebpf.window needs the libbpf capture, which cannot run: ${why}`, { fix: 'run `kdelta doctor`; unset KDELTA_EBPF' });
      }
      inner = createEbpfSession(spec, facts);
      await inner.start(repetitions);
    },
    async beforeRepetition(rep: RepetitionRef): Promise<void> {
      await inner?.beforeRepetition(rep);
    },
    async afterRepetition(rep: RepetitionRef, tasks: TaskSet): Promise<RepetitionCapture> {
      if (!inner) return { metrics: [], lost: ['eBPF capture was not running for this repetition'], notes: [] };
      const c = await inner.afterRepetition(rep, tasks);
      if (fallbackNote) c.notes.push(fallbackNote);
      if (observerNote) c.notes.push(observerNote);
      return c;
    },
    async stop(): Promise<void> {
      await inner?.stop();
    },
  };
}
