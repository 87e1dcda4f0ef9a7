import { SqliteError, WalkeeperError } from '@walkeeper/core';
import { describe, expect, test } from 'vitest';
import { classifyError, readOperationName } from '../src/index.js';

describe('db.operation.name of a read', () => {
  test.each([
    ['SELECT 1', 'SELECT'],
    ['select * from t', 'SELECT'],
    ['  \n\tSelect 1', 'SELECT'],
    ['-- why\nSELECT 1', 'SELECT'],
    ['/* hint */ SELECT 1', 'SELECT'],
    ['(SELECT 1)', 'SELECT'],
    ['WITH x AS (SELECT 1) SELECT * FROM x', 'SELECT'],
    ['VALUES (1), (2)', 'VALUES'],
    ['PRAGMA table_info(t)', 'PRAGMA'],
    ['EXPLAIN QUERY PLAN SELECT 1', 'EXPLAIN'],
    ['INSERT INTO t VALUES (1) RETURNING *', undefined],
    ['', undefined],
    ['-- only a comment', undefined],
    ['/* unterminated', undefined],
  ])('%j is %s', (sql, name) => {
    expect(readOperationName(sql)).toBe(name);
  });
});

describe('error.type and db.response.status_code', () => {
  test.each([
    [
      new SqliteError('UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'),
      'SQLITE_CONSTRAINT_PRIMARYKEY',
      'SQLITE_CONSTRAINT_PRIMARYKEY',
    ],
    [new WalkeeperError('E_TIMEOUT', 'slow'), 'E_TIMEOUT', undefined],
    [
      new WalkeeperError('E_BUSY', 'locked', { sqliteCode: 'SQLITE_BUSY' }),
      'SQLITE_BUSY',
      'SQLITE_BUSY',
    ],
    [new TypeError('x is not a function'), 'TypeError', undefined],
    [Object.assign(new Error('boom'), { code: 'ERR_SOMETHING' }), 'ERR_SOMETHING', undefined],
    ['a string', '_OTHER', undefined],
    [undefined, '_OTHER', undefined],
    [{}, '_OTHER', undefined],
  ])('%o', (error, type, statusCode) => {
    expect(classifyError(error)).toEqual({ type, statusCode });
  });
});
