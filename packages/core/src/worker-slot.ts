import type { Worker } from 'node:worker_threads';
import { WalkeeperError } from './errors.js';
import type { FromWorker, ReadResults, WorkerSetup } from './worker/protocol.js';
import { reviveError } from './worker/revive-error.js';
import { spawnSqliteWorker } from './worker/spawn.js';
import type { Task } from './worker-read-task.js';

/** One reader worker of the pool and what the main thread tracks about it. */
export interface Slot {
  worker: Worker;
  ready: boolean;
  /** Batches sent and not yet answered, oldest first: workers answer in order. */
  batches: Task[][];
  /** Statement ids this worker has prepared. */
  known: Set<number>;
  /** Statement ids to tell this worker to forget with its next batch. */
  drops: number[];
  lastError: unknown;
  stopping: boolean;
  /** Settles when the thread has exited: a worker that died while starting never exits twice. */
  exited: Promise<void>;
}

/** What the pool does when a slot's worker speaks or stops. */
export interface SlotEvents {
  results(slot: Slot, message: ReadResults): void;
  /** The worker opened its connection (after `started` resolved). */
  ready(slot: Slot): void;
  exit(slot: Slot, code: number): void;
}

/**
 * Spawns one reader worker. `started` resolves when it has opened its connection and rejects
 * with its fatal error, or when it exits first; an idle worker never keeps the process alive.
 */
export function startSlot(
  setup: WorkerSetup,
  events: SlotEvents,
): { slot: Slot; started: Promise<void> } {
  const worker = spawnSqliteWorker(setup);
  const slot: Slot = {
    worker,
    ready: false,
    batches: [],
    known: new Set(),
    drops: [],
    lastError: undefined,
    stopping: false,
    exited: new Promise((settle) => worker.once('exit', () => settle())),
  };
  const started = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.t === 'results') events.results(slot, message);
      else if (message.t === 'ready') {
        slot.ready = true;
        worker.unref();
        resolve();
        events.ready(slot);
      } else if (message.t === 'fatal') {
        slot.lastError = reviveError(message.error);
        reject(slot.lastError);
      }
    });
    worker.on('error', (error) => {
      slot.lastError = error;
    });
    worker.on('exit', (code) => {
      reject(
        slot.lastError ??
          new WalkeeperError(
            'E_READER_CRASHED',
            `A reader worker exited with code ${code} while starting.`,
          ),
      );
      events.exit(slot, code);
    });
  });
  return { slot, started };
}

/** Closes the worker's connection and lets it exit (`force`: terminates it); resolves once it has exited. */
export async function stopSlot(slot: Slot, force: boolean): Promise<void> {
  slot.stopping = true;
  // The caller awaits close(): an idle (unref'd) worker must not let the process exit first.
  slot.worker.ref();
  if (force || !slot.ready) await slot.worker.terminate();
  else slot.worker.postMessage({ t: 'close' });
  await slot.exited;
}

/** Ready workers by state: `used` while they hold a batch (`db.client.connection.state`). */
export function connectionStates(slots: readonly (Slot | undefined)[]): {
  idle: number;
  used: number;
} {
  let idle = 0;
  let used = 0;
  for (const slot of slots) {
    if (!slot?.ready) continue;
    if (slot.batches.length > 0) used++;
    else idle++;
  }
  return { idle, used };
}

/** Reads sent to workers and not yet answered. */
export function runningReads(slots: readonly (Slot | undefined)[]): number {
  let running = 0;
  for (const slot of slots) for (const batch of slot?.batches ?? []) running += batch.length;
  return running;
}
