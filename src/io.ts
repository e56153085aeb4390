/** The world the CLI runs in, passed in so tests can run it in-process with buffers (size-limit's pattern). */
export interface Io {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stderr is a terminal: live progress lines and colour are allowed. */
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM: the run stops its workload and collectors and writes what it has. */
  signal: AbortSignal;
}

/** Colour only on a terminal, and NO_COLOR / FORCE_COLOR win (https://no-color.org). */
export function useColor(io: Pick<Io, 'env' | 'isTTY'>): boolean {
  if (io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  const force = io.env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return io.isTTY;
}

/** The abort reason of a run stopped by a signal; its exit code is 128 + the signal's number. */
export class Interrupted extends Error {
  readonly exitCode: 130 | 143;
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM') {
    super(`received ${signalName}`);
    this.name = 'Interrupted';
    this.exitCode = signalName === 'SIGINT' ? 130 : 143;
  }
}

/** Exit code of an aborted run: 143 for SIGTERM, else 130 (SIGINT, or an abort without a signal, as in tests). */
export function interruptedExitCode(signal: AbortSignal): number {
  return signal.reason instanceof Interrupted ? signal.reason.exitCode : 130;
}

const hardStops = new Set<() => void>();

/**
 * Registers what must be stopped synchronously when the user will not wait for an orderly
 * stop (a second SIGINT): a stage that starts long-lived children (bpftrace) registers here,
 * so the CLI that handles signals needs to know none of them.
 */
export function onHardStop(stop: () => void): void {
  hardStops.add(stop);
}

/** Runs every registered hard stop; one that throws does not keep the others from running. */
export function runHardStops(): void {
  for (const stop of hardStops) {
    try {
      stop();
    } catch {
      /* best effort: kdelta is about to die of the signal */
    }
  }
}
