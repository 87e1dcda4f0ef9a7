import type { SqliteParams, WriteTransaction } from '@walkeeper/core';
import { splitSql } from './sql-statements.js';
import { checkStatements } from './statement-rules.js';

/**
 * The tx a function migration gets: the migration's own transaction, with every SQL text held
 * to the rules a SQL file is (no transaction control, no PRAGMA foreign_keys, ...), so code
 * cannot silently do what a file is refused for. Each distinct text is checked once.
 */
export function guardedTransaction(tx: WriteTransaction, where: string): WriteTransaction {
  const checked = new Set<string>();
  const check = (sql: string) => {
    if (checked.has(sql)) return;
    checkStatements(splitSql(sql), true, where);
    checked.add(sql);
  };
  return Object.freeze({
    run: (sql: string, params?: SqliteParams) => {
      check(sql);
      return tx.run(sql, params);
    },
    get: <Row>(sql: string, params?: SqliteParams) => {
      check(sql);
      return tx.get<Row>(sql, params);
    },
    all: <Row>(sql: string, params?: SqliteParams) => {
      check(sql);
      return tx.all<Row>(sql, params);
    },
    iterate: <Row>(sql: string, params?: SqliteParams) => {
      check(sql);
      return tx.iterate<Row>(sql, params);
    },
    exec: (sql: string) => {
      check(sql);
      tx.exec(sql);
    },
  });
}
