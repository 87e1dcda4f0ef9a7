import { isSqliteError, WalkeeperError, type WriteTransaction } from '@walkeeper/core';
import { isThenable } from '@walkeeper/core/plugin-kit';
import type { MigrationEvent } from '../progress-event.js';
import type { CompiledMigration, CompiledScript, Direction } from './compiled-migration.js';
import { guardedTransaction } from './guarded-transaction.js';
import type { AppliedRow, History, ProgressRow } from './history.js';
import { prefixChecksums } from './prefix-checksums.js';
import { checksumDiffers, checksumError } from './refusals.js';
import type { DedicatedSession, Session } from './session.js';
import { runsOutsideTransaction } from './sql-statements.js';

export interface StepContext {
  session: Session;
  history: History;
  emit: (event: MigrationEvent) => void;
}

export interface StepResult {
  status: 'applied' | 'skipped';
  reason?: string;
  statements?: number;
  resumedAt?: number;
}

/** Where a no-transaction migration stopped, for the failure message. */
interface StatementPosition {
  index: number;
  total: number;
  line: number;
}

const SKIPPED_UP: StepResult = {
  status: 'skipped',
  reason: 'another process applied it after this run planned it',
};
const SKIPPED_DOWN: StepResult = {
  status: 'skipped',
  reason: 'another process undid it after this run planned it',
};

/**
 * Runs one step in its own `BEGIN IMMEDIATE`, re-reading inside that transaction whether it is
 * still to do: with several processes migrating at once, each step happens exactly once.
 * Any failure is rethrown as `E_MIGRATION_FAILED` naming the migration.
 */
export function runStep(
  context: StepContext,
  migration: CompiledMigration,
  direction: Direction,
): StepResult {
  const script = direction === 'up' ? migration.up : migration.down!;
  let position: StatementPosition | undefined;
  try {
    if (!script.transaction) {
      return context.session.dedicated((session) =>
        runStatements(session, context, migration, (at) => {
          position = at;
        }),
      );
    }
    if (script.foreignKeysOff) {
      return context.session.dedicated((session) =>
        withForeignKeysOff(session, () =>
          runTransaction(session, context.history, migration, direction, script),
        ),
      );
    }
    return runTransaction(context.session, context.history, migration, direction, script);
  } catch (cause) {
    throw stepFailed(migration, direction, script.transaction, cause, position);
  }
}

function runTransaction(
  session: Session,
  history: History,
  migration: CompiledMigration,
  direction: Direction,
  script: CompiledScript,
): StepResult {
  const started = performance.now();
  return session.write((tx) => {
    if (direction === 'down') {
      if (history.appliedIfAny(tx, migration.version) === undefined) return SKIPPED_DOWN;
      runScript(tx, script);
      if (script.foreignKeysOff) checkForeignKeys(tx);
      history.remove(tx, migration.version);
      return { status: 'applied' };
    }
    if (!stillToApply(tx, history, migration)) return SKIPPED_UP;
    runScript(tx, script);
    if (script.foreignKeysOff) checkForeignKeys(tx);
    history.record(tx, appliedRow(migration, started));
    return { status: 'applied' };
  });
}

/**
 * A no-transaction migration: each statement commits together with the count of statements
 * done, so a crash or a failure leaves a recorded position and the next run resumes there.
 * Statements SQLite refuses inside a transaction (VACUUM, PRAGMA, ATTACH) run on their own,
 * the count recorded just after: a crash between the two runs that one statement again.
 */
function runStatements(
  session: DedicatedSession,
  context: StepContext,
  migration: CompiledMigration,
  at: (position: StatementPosition) => void,
): StepResult {
  const { history, emit } = context;
  const { statements } = migration.up;
  const total = statements.length;
  const prefixes = prefixChecksums(statements);
  const started = performance.now();
  const foreignKeys = session.foreignKeys();
  try {
    const begun = session.write((tx): ProgressRow | undefined => {
      if (!stillToApply(tx, history, migration)) return undefined;
      history.ensureProgress(tx);
      const existing = history.progress(tx, migration.version);
      if (existing) return existing;
      const now = new Date().toISOString();
      const fresh: ProgressRow = {
        version: migration.version,
        name: migration.name,
        checksum: migration.checksum,
        statementsDone: 0,
        doneChecksum: prefixes[0]!,
        startedAt: now,
        updatedAt: now,
      };
      history.saveProgress(tx, fresh);
      return fresh;
    });
    if (begun === undefined) return SKIPPED_UP;
    const advance = (tx: WriteTransaction, done: number) =>
      history.saveProgress(tx, {
        ...begun,
        statementsDone: done,
        doneChecksum: prefixes[done]!,
        updatedAt: new Date().toISOString(),
      });

    for (let index = begun.statementsDone; index < total; index++) {
      const statement = statements[index]!;
      at({ index, total, line: statement.line });
      let outcome: 'ran' | 'done-elsewhere' | 'finished-elsewhere';
      if (runsOutsideTransaction(statement)) {
        const done = session.read((tx) => history.progress(tx, migration.version)?.statementsDone);
        outcome =
          done === undefined ? 'finished-elsewhere' : done > index ? 'done-elsewhere' : 'ran';
        if (outcome === 'ran') {
          session.exec(statement.text);
          session.write((tx) => advance(tx, index + 1));
        }
      } else {
        outcome = session.write((tx) => {
          const done = history.progress(tx, migration.version)?.statementsDone;
          if (done === undefined) return 'finished-elsewhere';
          if (done > index) return 'done-elsewhere';
          tx.exec(statement.text);
          advance(tx, index + 1);
          return 'ran';
        });
      }
      if (outcome === 'finished-elsewhere') return SKIPPED_UP;
      if (outcome === 'done-elsewhere') continue;
      emit({
        type: 'statement',
        direction: 'up',
        version: migration.version,
        name: migration.name,
        statement: index + 1,
        statements: total,
      });
    }
    at({ index: total, total, line: 0 });
    const finished = session.write((tx) => {
      if (history.progress(tx, migration.version) === undefined) return false;
      history.record(tx, appliedRow(migration, started));
      history.clearProgress(tx, migration.version);
      return true;
    });
    if (!finished) return SKIPPED_UP;
    return {
      status: 'applied',
      statements: total,
      resumedAt: begun.statementsDone + 1,
    };
  } finally {
    // A PRAGMA in the file may have changed it; the connection leaves as it came.
    session.setForeignKeys(foreignKeys);
  }
}

/** Inside the step's transaction: false when it is applied already (by another process). */
function stillToApply(
  tx: WriteTransaction,
  history: History,
  migration: CompiledMigration,
): boolean {
  history.ensure(tx);
  const row = history.applied(tx, migration.version);
  if (row !== undefined) {
    if (checksumDiffers(migration, row)) throw checksumError([{ migration, row }]);
    return false;
  }
  const newest = history.newest(tx);
  if (newest > migration.version) {
    throw new WalkeeperError(
      'E_MIGRATION_INVALID',
      `${migration.label} is not applied but ${newest} is: another process applied newer ` +
        'migrations first. Renumber it above them.',
      { details: { reason: 'out-of-order', newest, versions: [migration.version] } },
    );
  }
  return true;
}

function runScript(tx: WriteTransaction, script: CompiledScript): void {
  if (script.sql !== undefined) {
    if (script.statements.length > 0) tx.exec(script.sql);
    return;
  }
  const result: unknown = script.fn!(guardedTransaction(tx, script.where));
  if (isThenable(result)) {
    throw new WalkeeperError(
      'E_ASYNC_WRITE',
      `${script.where} returned a Promise: migration functions must be synchronous, the ` +
        'transaction cannot stay open across an await.',
    );
  }
}

/**
 * Foreign keys off for `fn`, set outside any transaction (inside one SQLite ignores it), and
 * restored whatever happens.
 */
function withForeignKeysOff<T>(session: DedicatedSession, fn: () => T): T {
  const before = session.foreignKeys();
  session.setForeignKeys(false);
  try {
    if (session.foreignKeys()) {
      throw new WalkeeperError(
        'E_MIGRATION_FAILED',
        'PRAGMA foreign_keys = OFF did not take effect on the migration connection.',
      );
    }
    return fn();
  } finally {
    session.setForeignKeys(before);
  }
}

const MAX_VIOLATIONS = 20;

function checkForeignKeys(tx: WriteTransaction): void {
  const violations = tx.all<{ table: string; rowid: unknown; parent: string; fkid: number }>(
    'PRAGMA foreign_key_check',
  );
  if (violations.length === 0) return;
  const first = violations[0]!;
  throw new WalkeeperError(
    'E_MIGRATION_FAILED',
    `PRAGMA foreign_key_check found ${violations.length} row(s) whose foreign key points at ` +
      `nothing, the first in ${first.table} (rowid ${String(first.rowid)}) referencing ` +
      `${first.parent}.`,
    { details: { violations: violations.slice(0, MAX_VIOLATIONS) } },
  );
}

function appliedRow(migration: CompiledMigration, started: number): AppliedRow {
  return {
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    appliedAt: new Date().toISOString(),
    durationMs: performance.now() - started,
  };
}

function stepFailed(
  migration: CompiledMigration,
  direction: Direction,
  transactional: boolean,
  cause: unknown,
  position: StatementPosition | undefined,
): WalkeeperError {
  const why = cause instanceof Error ? cause.message : String(cause);
  const label = direction === 'down' ? `${migration.label} (down)` : migration.label;
  let what: string;
  if (direction === 'down') {
    what = 'failed and was rolled back; it stays applied';
  } else if (transactional) {
    what = 'failed and was rolled back; nothing of it is applied';
  } else if (position === undefined || position.index >= position.total) {
    what =
      'failed outside its statements; the statements done stay recorded and the next run ' +
      'resumes after them';
  } else {
    const n = position.index + 1;
    const done = position.index === 0 ? 'no statement is' : `statements 1-${position.index} are`;
    what =
      `failed at statement ${n} of ${position.total} (line ${position.line}), which was ` +
      `rolled back; ${done} applied and recorded, and the next run resumes at statement ${n}`;
  }
  const causeCode =
    cause instanceof WalkeeperError ? cause.code : isSqliteError(cause) ? cause.code : undefined;
  const sqliteCode =
    cause instanceof WalkeeperError
      ? cause.sqliteCode
      : isSqliteError(cause)
        ? cause.code
        : undefined;
  const details: Record<string, unknown> = {
    version: migration.version,
    name: migration.name,
    direction,
    file: migration.file ?? migration.label,
  };
  if (causeCode !== undefined) details.causeCode = causeCode;
  if (position !== undefined && position.index < position.total) {
    details.statement = position.index + 1;
    details.statements = position.total;
    details.line = position.line;
  }
  if (cause instanceof WalkeeperError && cause.details?.violations !== undefined) {
    details.violations = cause.details.violations;
  }
  return new WalkeeperError('E_MIGRATION_FAILED', `${label} ${what}: ${why}`, {
    cause,
    ...(sqliteCode === undefined ? {} : { sqliteCode }),
    details,
  });
}
