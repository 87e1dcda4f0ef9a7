import { WalkeeperError } from './errors.js';

export function closedError(): WalkeeperError {
  return new WalkeeperError('E_CLOSED', 'walkeeper is closed.');
}

export function abortedError(signal: AbortSignal): WalkeeperError {
  return new WalkeeperError('E_ABORTED', 'The read was aborted.', { cause: signal.reason });
}

/** A statement that returns no rows given to a read API (`read()` or `prepareRead()`). */
export function notAQueryError(sql: string, api = 'read()'): WalkeeperError {
  return new WalkeeperError(
    'E_NOT_A_QUERY',
    `${api} runs statements that return rows; use write() for this one: ${sql.length > 80 ? `${sql.slice(0, 77)}...` : sql}`,
    { details: { sql } },
  );
}

/** A read refused because `readers.maxQueue` reads are already waiting. */
export function queueFullError(maxQueue: number): WalkeeperError {
  return new WalkeeperError(
    'E_POOL_QUEUE_FULL',
    `The read queue is full (${maxQueue} reads waiting).`,
    {
      details: { maxQueue },
    },
  );
}
