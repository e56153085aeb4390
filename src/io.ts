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
