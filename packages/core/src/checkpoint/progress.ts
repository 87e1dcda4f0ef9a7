import type { CheckpointResult } from './result.js';

/** A reader's snapshot that stops backfill at `frame`, first seen at `since`. */
export interface Pin {
  /** The last frame a checkpoint can copy while the reader stays (SQLite's backfill stops here). */
  readonly frame: number;
  /** `performance.now()` when a checkpoint first stopped at this frame. */
  readonly since: number;
  /**
   * The -shm read-mark slots (1 to 4) that held `frame` when the checkpoint stopped there: the
   * pinning reader's. When none of them holds it any more, the reader has let its snapshot go.
   */
  readonly slots: readonly number[];
  /** The read marks show the reader let go; the next checkpoint will tell where the log stands. */
  readonly released: boolean;
}

/**
 * What checkpoints have achieved, from their results: whether the last ones made progress
 * (backfilled further than the one before) and which reader's snapshot stops them. A
 * checkpoint that copied nothing new against a pin cannot do better until the pin moves, so
 * the strategies wait (`stalledStreak`) instead of asking again at once: the checkpoint storm
 * a reader outside walkeeper (Litestream, a backup, a `sqlite3` shell) used to cause.
 */
export class CheckpointProgress {
  /** Consecutive checkpoints that backfilled nothing new while frames waited past a pin. */
  stalledStreak = 0;
  #pin: Pin | undefined;
  #last: { logFrames: number; checkpointedFrames: number } | undefined;

  get pin(): Pin | undefined {
    return this.#pin;
  }

  /**
   * Takes in one checkpoint's result. `readMarks` are the -shm's read marks after it (index 0
   * unused), to remember which slots hold the pin.
   */
  record(result: CheckpointResult, now: number, readMarks: readonly number[] | undefined): void {
    const { logFrames, checkpointedFrames } = result;
    // -1: another connection held the checkpoint lock, and SQLite looked at nothing.
    if (logFrames < 0 || checkpointedFrames < 0) return;
    const last = this.#last;
    this.#last = { logFrames, checkpointedFrames };
    if (checkpointedFrames >= logFrames) {
      // Everything is backfilled: nothing pins the log.
      this.stalledStreak = 0;
      this.#pin = undefined;
      return;
    }
    const restarted = last !== undefined && logFrames < last.logFrames;
    const progressed =
      last === undefined || restarted || checkpointedFrames > last.checkpointedFrames;
    this.stalledStreak = progressed ? 0 : this.stalledStreak + 1;
    const slots = slotsHolding(readMarks, checkpointedFrames);
    // The same snapshot still stops backfill: the pin keeps its age, whatever the read marks said.
    if (this.#pin?.frame === checkpointedFrames && !restarted) {
      this.#pin = { ...this.#pin, slots, released: false };
    } else {
      this.#pin = { frame: checkpointedFrames, since: now, slots, released: false };
    }
  }

  /** The pin has slots whose read marks can show the reader letting go. */
  get watchable(): boolean {
    return this.#pin !== undefined && !this.#pin.released && this.#pin.slots.length > 0;
  }

  /**
   * Whether the pinning reader has let go, judged from the read marks now: the slots that held
   * the pin hold something else (the writer's next transaction reuses a freed slot). Then the
   * stall is over, the next checkpoint may run at once, and the pin is not reported until a
   * checkpoint finds it again. Without that evidence (a reader on slot 0, which reads the
   * database file alone) the strategies' backoff decides when to look again.
   */
  notePinMoved(readMarks: readonly number[] | undefined): void {
    const pin = this.#pin;
    if (!this.watchable || pin === undefined || readMarks === undefined) return;
    if (pin.slots.some((slot) => readMarks[slot] === pin.frame)) return;
    this.stalledStreak = 0;
    this.#pin = { ...pin, released: true };
  }
}

function slotsHolding(readMarks: readonly number[] | undefined, frame: number): number[] {
  if (readMarks === undefined) return [];
  const slots: number[] = [];
  for (let slot = 1; slot < readMarks.length; slot++)
    if (readMarks[slot] === frame) slots.push(slot);
  return slots;
}
