import type { MachineFacts } from '../../environment/types.js';
import { EnvironmentError } from '../../errors.js';
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
 * The eBPF collector: the libbpf capture where it runs, the bpftrace capture where it does not
 * (not built, no BTF, refused at load or attach), said in every repetition's notes.
 */
export function createEbpfCapture(spec: EbpfSpec, facts: MachineFacts, backend = captureBackend()): CollectorSession {
  let inner: CollectorSession | null = null;
  let fallbackNote: string | null = null;
  return {
    name: 'ebpf',
    async start(repetitions: RepetitionRef[]): Promise<void> {
      if (backend !== 'bpftrace' && bpfAvailability(facts).state === 'ready') {
        const lib = createBpfSession(spec, facts);
        try {
          await lib.start(repetitions);
          inner = lib;
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
      return c;
    },
    async stop(): Promise<void> {
      await inner?.stop();
    },
  };
}
