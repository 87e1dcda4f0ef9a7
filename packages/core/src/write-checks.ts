import { WalkeeperError } from './errors.js';
import {
  checkInteger,
  checkKnownKeys,
  checkPlainObject,
  configError,
} from './internal/validate.js';
import type { TransactionOptions } from './write-queue.js';

/** A synchronous write while an async transaction holds the writer: it must not join it. */
export function writerBusyError(): WalkeeperError {
  return new WalkeeperError(
    'E_WRITER_BUSY',
    "write() was called while a transaction() holds the writer; a synchronous write cannot wait for it and must not join it. Use batch() or transaction() here (they queue behind it), or the open transaction's tx.",
  );
}

export function checkTransactionOptions(value: unknown): TransactionOptions {
  const options = checkPlainObject('transaction options', value);
  checkKnownKeys('transaction options', options, ['timeoutMs', 'signal']);
  const { timeoutMs, signal } = options;
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw configError('signal', signal, 'an AbortSignal');
  }
  return {
    ...(timeoutMs === undefined
      ? {}
      : { timeoutMs: checkInteger('timeoutMs', timeoutMs, 1, 2 ** 31 - 1) }),
    ...(signal === undefined ? {} : { signal }),
  };
}
