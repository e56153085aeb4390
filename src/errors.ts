/** Exit codes of kdelta (see DESIGN.md). */
export const EXIT = {
  ok: 0,
  regression: 1,
  badInput: 2,
  environment: 3,
  workloadFailed: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one error type for bad input or an unusable environment. Thrown anywhere, caught once
 * in cli.ts, printed as `where: message` plus the fix, never with a stack trace.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly exitCode: 2 | 3 | 4 = EXIT.badInput,
    /** `file:line:col` or `file` the problem is in, when there is one. */
    readonly where?: string,
    /** What the user can do about it. */
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}
