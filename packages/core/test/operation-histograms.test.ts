import { describe, expect, test } from 'vitest';
import { SqliteError } from '../src/driver.js';
import { WalkeeperError } from '../src/errors.js';
import { MAX_FAILURE_TYPES, OperationHistograms } from '../src/operation-histograms.js';

describe('OperationHistograms', () => {
  test('successes by kind and read operation, failures by name', () => {
    const ops = new OperationHistograms();
    ops.readSucceeded('SELECT 1').record(1);
    ops.readSucceeded('  select 2').record(2);
    ops.readSucceeded('WITH x AS (SELECT 1) SELECT * FROM x').record(3);
    ops.readSucceeded('PRAGMA user_version').record(4);
    ops.succeeded('write', undefined).record(5);
    ops.recordFailure('read', 'SELECT x', 6, new SqliteError('no such column', 'SQLITE_ERROR'));
    ops.recordFailure('read', 'SELECT y', 7, new WalkeeperError('E_TIMEOUT', 'slow'));
    ops.recordFailure('write', undefined, 8, new TypeError('bad'));
    ops.recordFailure('write', undefined, 9, 'not an error');
    const rows = ops.all.map((s) => [s.kind, s.operation, s.failed, s.failure, s.histogram.count]);
    expect(rows).toEqual([
      ['read', 'SELECT', false, undefined, 3],
      ['read', 'PRAGMA', false, undefined, 1],
      ['write', undefined, false, undefined, 1],
      ['read', 'SELECT', true, 'SQLITE_ERROR', 1],
      ['read', 'SELECT', true, 'E_TIMEOUT', 1],
      ['write', undefined, true, 'TypeError', 1],
      ['write', undefined, true, undefined, 1],
    ]);
    expect(ops.merged('read').count).toBe(6);
    expect(ops.merged('read').sumMs).toBe(1 + 2 + 3 + 4 + 6 + 7);
    expect(ops.merged('write').maxMs).toBe(9);
  });

  test('failure names past the limit share the unnamed series', () => {
    const ops = new OperationHistograms();
    for (let i = 0; i < MAX_FAILURE_TYPES + 10; i++) {
      ops.recordFailure('write', undefined, 1, new WalkeeperError(`E_X${i}` as 'E_CONFIG', 'x'));
    }
    const failed = ops.all.filter((s) => s.failed);
    expect(failed).toHaveLength(MAX_FAILURE_TYPES + 1);
    expect(failed.find((s) => s.failure === undefined)?.histogram.count).toBe(10);
  });
});
