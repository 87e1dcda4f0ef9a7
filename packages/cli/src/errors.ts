/** The exit codes of every command: 0 all is well, 1 a check failed, 2 bad usage. */
export type ExitCode = 0 | 1 | 2;

/**
 * Bad input the operator can fix on the command line (a missing file, a directory, a file
 * that is not a database, an unknown mode, a negative interval): one line, exit code 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** True for a `UsageError`, also one from another copy of this package. */
export function isUsageError(error: unknown): error is UsageError {
  return error instanceof Error && error.name === 'UsageError';
}
