import type { StatementIds } from './statement-ids.js';
import type { ReadBatch } from './worker/protocol.js';
import { QUEUED, RUNNING, type Task } from './worker-read-task.js';
import type { Slot } from './worker-slot.js';

/** Most reads one message carries: large enough to amortise a message, small enough to share. */
const MAX_BATCH = 64;
/**
 * Batches a worker may hold: with two it starts the next one while the main thread is still
 * answering the last, so no worker idles in a ping-pong.
 */
const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * Hands queued reads to ready workers in batches, shared evenly across free batch places:
 * shallow workers first, at most `MAX_BATCH` reads each. Taken reads leave the queue; settled
 * ones found on the way are dropped.
 */
export function fillSlots(
  queue: Task[],
  slots: readonly (Slot | undefined)[],
  send: (slot: Slot, batch: Task[]) => void,
): void {
  let free = 0;
  for (const slot of slots) if (slot?.ready) free += MAX_BATCHES_IN_FLIGHT - slot.batches.length;
  for (let depth = 0; depth < MAX_BATCHES_IN_FLIGHT; depth++) {
    for (const slot of slots) {
      if (queue.length === 0 || free === 0) return;
      if (!slot?.ready || slot.batches.length !== depth) continue;
      const take = Math.min(Math.ceil(queue.length / free), MAX_BATCH);
      free--;
      const batch: Task[] = [];
      let taken = 0;
      while (taken < queue.length && batch.length < take) {
        const task = queue[taken++]!;
        if (task.state === QUEUED) batch.push(task);
      }
      queue.splice(0, taken);
      if (batch.length > 0) send(slot, batch);
    }
  }
}

/**
 * The message that runs `batch` on `slot`'s worker: statements it has not prepared yet go
 * with their SQL, the rest by number. Marks the tasks running from now; the statements are
 * noted as known to the worker, and `forget()` undoes that when the message cannot be sent.
 */
export function batchMessage(
  slot: Slot,
  batch: Task[],
  ids: StatementIds,
): { message: ReadBatch; forget(): void } {
  const defs: (number | string)[] = [];
  const tasks: unknown[] = new Array(batch.length * 3);
  const now = performance.now();
  for (let i = 0; i < batch.length; i++) {
    const task = batch[i]!;
    const statementId = ids.idOf(task.sql);
    if (!slot.known.has(statementId)) {
      slot.known.add(statementId);
      defs.push(statementId, task.sql);
    }
    task.state = RUNNING;
    task.dispatchedAt = now;
    tasks[i * 3] = task.id;
    tasks[i * 3 + 1] = statementId;
    tasks[i * 3 + 2] = task.params;
  }
  return {
    message: { t: 'read', defs, drop: slot.drops, tasks },
    forget() {
      for (let i = 0; i < defs.length; i += 2) slot.known.delete(defs[i] as number);
    },
  };
}
