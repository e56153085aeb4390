/** Exit codes of kdelta: the contract a CI job gates on. */
export const EXIT = {
  ok: 0,
  regression: 1,
  badInput: 2,
  environment: 3,
  workloadFailed: 4,
  internal: 70,
  sigint: 130,
  sigterm: 143,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a problem is and what the user can do about it. Every field is optional. */
export interface Where {
  /** The file the problem is in. */
  file?: string | undefined;
  /** 1-based line and column in that file. */
  line?: number | undefined;
  column?: number | undefined;
  /** What the user can do about it: a command, a key to change. */
  fix?: string | undefined;
}

/**
 * The failures kdelta expects and explains: each kind has its exit code. Thrown anywhere, caught
 * once in cli.ts, printed as `file:line:col: message` plus the fix, never with a stack trace.
 */
export abstract class KdeltaError extends Error {
  abstract readonly exitCode: ExitCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly fix: string | undefined;

  constructor(message: string, where: Where = {}) {
    super(message);
    this.name = new.target.name;
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.fix = where.fix;
  }

  /** `file:line:col`, `file`, or undefined when the problem is in no file. */
  get where(): string | undefined {
    if (this.file === undefined) return undefined;
    if (this.line === undefined) return this.file;
    return `${this.file}:${this.line}${this.column === undefined ? '' : `:${this.column}`}`;
  }
}

/** Exit 2: the user's scenario, baseline, report or flags. */
export class InputError extends KdeltaError {
  readonly exitCode = EXIT.badInput;
}

/** Exit 3: this machine cannot do what was asked (a required collector, a missing helper, an unwritable folder). */
export class EnvironmentError extends KdeltaError {
  readonly exitCode = EXIT.environment;
}

/** Exit 4: the workload itself failed where that has to stop kdelta. */
export class WorkloadError extends KdeltaError {
  readonly exitCode = EXIT.workloadFailed;
}

/** Exit 70: a state kdelta's own code should never reach; a bug to report. */
export class InternalError extends KdeltaError {
  readonly exitCode = EXIT.internal;
}
