/** Exit codes scripts can rely on, and the one error the commands throw to end with one of them. */

export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** The action failed: AWS refused or failed a call, a run ended FAILED or TIMED_OUT, a redrive failed. */
  FAILED: 1,
  /** The command line is wrong: unknown command or option, missing or malformed argument. */
  USAGE: 2,
  /** Not found or invalid: no such application, run, snapshot or stage; an invalid configuration. */
  NOT_FOUND_OR_INVALID: 3,
  /** Refused: a restore's safety check, a declined confirmation, or `--yes` needed because stdin is not a terminal. */
  REFUSED: 4,
  /** Waited for longer than `--timeout` without the outcome (the action itself goes on). */
  TIMED_OUT: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error that ends the command with `exitCode`; its message says what failed and how to fix it. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { readonly cause?: unknown; readonly details?: readonly string[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.details = options?.details ?? [];
  }

  readonly details: readonly string[];
}
