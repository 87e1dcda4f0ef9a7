import type { WriteTransaction } from '@walkeeper/core';

/**
 * Claude Code deletes transcripts older than `cleanupPeriodDays`; the database keeps them.
 * A file found gone is marked with when it vanished, and its rows stay (the API still serves
 * them). A session lives only in the archive when every file of it is gone:
 * `counters.archived_sessions` keeps that count, so the status route needs no scan.
 */
export function markVanished(
  tx: WriteTransaction,
  fileId: number,
  sessionId: number,
  at: string,
): boolean {
  const changed =
    tx.run('UPDATE files SET vanished_at = ? WHERE id = ? AND vanished_at IS NULL', [at, fileId])
      .changes > 0;
  if (changed && liveFiles(tx, sessionId) === 0)
    tx.run('UPDATE counters SET archived_sessions = archived_sessions + 1 WHERE id = 1');
  return changed;
}

/** A vanished file that is back (written again): its session is live again. */
export function markPresent(tx: WriteTransaction, fileId: number, sessionId: number): void {
  const wasArchived = liveFiles(tx, sessionId) === 0;
  const changed =
    tx.run('UPDATE files SET vanished_at = NULL WHERE id = ? AND vanished_at IS NOT NULL', [fileId])
      .changes > 0;
  if (changed && wasArchived)
    tx.run('UPDATE counters SET archived_sessions = archived_sessions - 1 WHERE id = 1');
}

function liveFiles(tx: WriteTransaction, sessionId: number): number {
  return Number(
    tx.get<{ n: number }>(
      'SELECT count(*) AS n FROM files WHERE session_id = ? AND vanished_at IS NULL',
      [sessionId],
    )?.n ?? 0,
  );
}
