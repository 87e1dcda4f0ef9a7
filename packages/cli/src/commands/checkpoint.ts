import { type CheckpointDatabaseOptions, checkpointDatabase } from '../checkpoint.js';
import type { ExitCode } from '../errors.js';
import { painter } from '../internal/color.js';
import { formatBytes, formatMs, table } from '../internal/format.js';
import { toJson } from '../internal/json.js';
import { printLines } from '../internal/write.js';

/**
 * `walkeeper checkpoint <db>`: exit 0 when the checkpoint finished, 1 when it was busy or the
 * database is not in WAL mode.
 */
export function checkpointCommand(
  path: string,
  options: Required<CheckpointDatabaseOptions> & { json: boolean },
): ExitCode {
  const outcome = checkpointDatabase(path, options);
  const ok = outcome.walMode && !outcome.busy;
  if (options.json) {
    printLines([toJson({ ok, maxStallMs: options.maxStallMs, ...outcome })]);
    return ok ? 0 : 1;
  }
  if (!outcome.walMode) {
    printLines([
      `${path} is not in WAL mode: there is no log to checkpoint (the journal mode was left as it is)`,
    ]);
    return 1;
  }
  const paint = painter(process.stdout);
  const verdict = outcome.busy
    ? `${paint('BUSY', 'red')} after ${formatMs(outcome.durationMs)}: a reader or writer held the log past --max-stall-ms ${options.maxStallMs}`
    : `${paint('done', 'green')} in ${formatMs(outcome.durationMs)}`;
  printLines([
    `checkpoint ${outcome.mode} on ${path}: ${verdict}`,
    ...table([
      ['busy', outcome.busy ? 'yes' : 'no'],
      ['log frames', String(outcome.logFrames)],
      ['checkpointed', String(outcome.checkpointedFrames)],
      ['wal before', formatBytes(outcome.walBytesBefore)],
      ['wal after', formatBytes(outcome.walBytesAfter)],
      ['duration', formatMs(outcome.durationMs)],
    ]),
  ]);
  return ok ? 0 : 1;
}
