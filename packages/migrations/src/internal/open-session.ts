import { existsSync } from 'node:fs';
import { WalkeeperError } from '@walkeeper/core';
import { describeValue, enableWal } from '@walkeeper/core/plugin-kit';
import type { DatabaseTarget, MigrationTarget, WalkeeperTarget } from '../target.js';
import { ConnectionSession } from './connection-session.js';
import { openConnection } from './open-connection.js';
import type { Session } from './session.js';
import { WalkeeperSession } from './walkeeper-session.js';

/**
 * `write` may create the database and puts it in WAL mode; `read` changes nothing on disk and
 * gives no session at all for a file that does not exist (nothing is applied there).
 */
export type Access = 'read' | 'write';

export function openSession(target: MigrationTarget, access: Access): Session | undefined {
  if (isWalkeeper(target)) return new WalkeeperSession(target);
  const { path, driver, busyTimeout, foreignKeys } = checkDatabaseTarget(target);
  if (access === 'read' && !existsSync(path)) return undefined;
  const connection = openConnection(
    driver,
    path,
    (opened) => {
      opened.pragma(`busy_timeout = ${busyTimeout}`);
      if (access === 'write') enableWal(opened, path, busyTimeout);
      opened.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    },
    access === 'read' ? { fileMustExist: true } : {},
  );
  return new ConnectionSession(connection);
}

/** Runs `fn` with a session on `target`, closing what was opened for it. */
export function withSession<T>(
  target: MigrationTarget,
  access: Access,
  fn: (session: Session | undefined) => T,
): T {
  const session = openSession(target, access);
  try {
    return fn(session);
  } finally {
    session?.close();
  }
}

function isWalkeeper(target: MigrationTarget): target is WalkeeperTarget {
  return (
    typeof target === 'object' &&
    target !== null &&
    typeof (target as WalkeeperTarget).write === 'function' &&
    typeof (target as WalkeeperTarget).options === 'object'
  );
}

function checkDatabaseTarget(value: unknown): Required<DatabaseTarget> {
  const fail = (option: string, got: unknown, expected: string) =>
    new WalkeeperError(
      'E_CONFIG',
      `Invalid target${option}: got ${describeValue(got)}, expected ${expected}.`,
      { details: { option: `target${option}`, expected } },
    );
  if (typeof value !== 'object' || value === null) {
    throw fail('', value, 'an open Walkeeper or { path, driver }');
  }
  const target = value as Partial<DatabaseTarget>;
  if (typeof target.path !== 'string' || target.path.trim() === '' || target.path === ':memory:') {
    throw fail('.path', target.path, 'the path of a database file');
  }
  const driver = target.driver;
  if (typeof driver !== 'object' || driver === null || typeof driver.open !== 'function') {
    throw fail('.driver', driver, 'a walkeeper driver such as betterSqlite3()');
  }
  if (driver.specificationVersion !== 'v1') {
    throw fail('.driver', driver.specificationVersion, "a driver of specification 'v1'");
  }
  const busyTimeout = target.busyTimeout ?? 5000;
  if (!Number.isSafeInteger(busyTimeout) || busyTimeout < 0 || busyTimeout > 2 ** 31 - 1) {
    throw fail('.busyTimeout', busyTimeout, 'milliseconds from 0 to 2147483647');
  }
  const foreignKeys = target.foreignKeys ?? true;
  if (typeof foreignKeys !== 'boolean') throw fail('.foreignKeys', foreignKeys, 'true or false');
  return { path: target.path, driver, busyTimeout, foreignKeys };
}
