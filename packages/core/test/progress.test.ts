import { describe, expect, test } from 'vitest';
import { CheckpointProgress } from '../src/checkpoint/progress.js';
import type { CheckpointResult } from '../src/checkpoint/result.js';

function result(logFrames: number, checkpointedFrames: number): CheckpointResult {
  return {
    mode: 'PASSIVE',
    busy: false,
    logFrames,
    checkpointedFrames,
    durationMs: 1,
    walBytesBefore: 0,
    walBytesAfter: 0,
  };
}

const NOT_USED = 0xffffffff;

describe('CheckpointProgress', () => {
  test('a checkpoint that gets no further than the last is a stall; progress or a full backfill ends it', () => {
    const progress = new CheckpointProgress();
    progress.record(result(100, 100), 0, undefined);
    expect(progress).toMatchObject({ stalledStreak: 0, pin: undefined });
    // A reader's snapshot at frame 120 stops the next one, which still got further.
    progress.record(result(200, 120), 10, [0, 120, 200, NOT_USED, NOT_USED]);
    expect(progress.stalledStreak).toBe(0);
    expect(progress.pin).toEqual({ frame: 120, since: 10, slots: [1], released: false });
    progress.record(result(300, 120), 20, [0, 120, 300, NOT_USED, NOT_USED]);
    progress.record(result(400, 120), 30, [0, 120, 400, NOT_USED, NOT_USED]);
    expect(progress.stalledStreak).toBe(2);
    expect(progress.pin).toMatchObject({ frame: 120, since: 10 });
    progress.record(result(500, 450), 40, undefined);
    expect(progress.stalledStreak).toBe(0);
    expect(progress.pin).toMatchObject({ frame: 450, since: 40, slots: [] });
    progress.record(result(500, 500), 50, undefined);
    expect(progress).toMatchObject({ stalledStreak: 0, pin: undefined });
  });

  test('the read marks tell when the pinning reader let go; the same snapshot found again keeps its age', () => {
    const progress = new CheckpointProgress();
    progress.record(result(100, 40), 0, [0, 40, 100, NOT_USED, NOT_USED]);
    progress.record(result(200, 40), 5, [0, 40, 200, NOT_USED, NOT_USED]);
    expect(progress.stalledStreak).toBe(1);
    progress.notePinMoved([0, 40, 210, NOT_USED, NOT_USED]);
    expect(progress.stalledStreak).toBe(1);
    // The writer's next transaction took slot 1 back: the reader is gone.
    progress.notePinMoved([0, 230, 210, NOT_USED, NOT_USED]);
    expect(progress.stalledStreak).toBe(0);
    expect(progress.pin?.released).toBe(true);
    // It was not: the next checkpoint stops at the same frame, and the pin keeps its age.
    progress.record(result(300, 40), 9, [0, 230, 40, NOT_USED, NOT_USED]);
    expect(progress.pin).toEqual({ frame: 40, since: 0, slots: [2], released: false });
  });

  test('a reader on slot 0 leaves no read mark to watch; a checkpoint-lock answer says nothing', () => {
    const progress = new CheckpointProgress();
    progress.record(result(100, 0), 0, [0, 100, NOT_USED, NOT_USED, NOT_USED]);
    progress.record(result(200, 0), 1, [0, 200, NOT_USED, NOT_USED, NOT_USED]);
    expect(progress.watchable).toBe(false);
    progress.notePinMoved([0, 300, NOT_USED, NOT_USED, NOT_USED]);
    expect(progress.stalledStreak).toBe(1);
    progress.record(result(-1, -1), 2, undefined);
    expect(progress.stalledStreak).toBe(1);
  });
});
