import { describe, expect, test } from 'vitest';
import { migrationChecksum, normaliseSql } from '../src/index.js';
import { parseDirectives } from '../src/internal/directives.js';
import * as sqlText from '../src/internal/sql-statements.js';
import { caught, sha256 } from './support.js';

describe('checksums', () => {
  test('are SHA-256 of the text with LF line endings and no BOM', () => {
    const lf = 'CREATE TABLE a (x);\nCREATE TABLE b (y);\n';
    expect(migrationChecksum(lf)).toBe(sha256(lf));
    expect(migrationChecksum(`\uFEFF${lf.replaceAll('\n', '\r\n')}`)).toBe(sha256(lf));
    expect(migrationChecksum(lf.replaceAll('\n', '\r'))).toBe(sha256(lf));
    expect(normaliseSql('\uFEFFa\r\nb\rc\n')).toBe('a\nb\nc\n');
  });

  test('any other edit is a change', () => {
    expect(migrationChecksum('CREATE TABLE a (x);')).not.toBe(
      migrationChecksum('CREATE TABLE a (x); '),
    );
    // Only a leading BOM is dropped; one inside the text stays.
    expect(migrationChecksum('a\uFEFF')).not.toBe(migrationChecksum('a'));
  });
});

describe('splitting SQL into statements', () => {
  test('semicolons in strings, identifiers and comments do not split', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s;');",
      'CREATE TABLE "we;ird" ([col;1] TEXT, `x;y` INT); -- trailing; comment',
      '/* block; comment */ SELECT 1;',
      'SELECT 2',
    ].join('\n');
    const statements = sqlText.splitSql(sql);
    expect(statements.map((s) => s.text)).toEqual([
      "INSERT INTO t VALUES ('a;b', 'it''s;');",
      'CREATE TABLE "we;ird" ([col;1] TEXT, `x;y` INT);',
      'SELECT 1;',
      'SELECT 2',
    ]);
    expect(statements.map((s) => s.line)).toEqual([1, 2, 3, 4]);
  });

  test('a trigger body is one statement, CASE ... END inside it included', () => {
    const sql = `CREATE TABLE log (x);
CREATE TEMP TRIGGER t AFTER INSERT ON log BEGIN
  UPDATE log SET x = CASE WHEN NEW.x > 1 THEN 1 ELSE 0 END;
  DELETE FROM log WHERE x IS NULL;
END;
CREATE TRIGGER IF NOT EXISTS "end" AFTER DELETE ON log BEGIN SELECT 1; END;
SELECT CASE 1 WHEN 1 THEN 'end;' END;`;
    const statements = sqlText.splitSql(sql);
    expect(statements).toHaveLength(4);
    expect(statements[1]!.text).toMatch(/^CREATE TEMP TRIGGER t[\s\S]*END;$/);
    expect(statements[2]!.head.slice(0, 2)).toEqual(['CREATE', 'TRIGGER']);
    expect(statements[3]!.line).toBe(7);
  });

  test('blank text and comments alone are no statement', () => {
    expect(sqlText.splitSql('  -- nothing\n/* at all */ ;;\n')).toEqual([]);
  });

  test('statements are classified from their first tokens', () => {
    const [a, b, c, d, e, f, g] = sqlText.splitSql(
      'PRAGMA main.foreign_keys = OFF; PRAGMA "journal_mode"; ROLLBACK TO sp; ROLLBACK; ' +
        'END TRANSACTION; VACUUM; ATTACH DATABASE x AS y;',
    );
    expect(sqlText.pragmaName(a!)).toBe('foreign_keys');
    expect(sqlText.pragmaName(b!)).toBe('journal_mode');
    expect(sqlText.isTransactionControl(c!)).toBe(false);
    expect(sqlText.isTransactionControl(d!)).toBe(true);
    expect(sqlText.isTransactionControl(e!)).toBe(true);
    expect(sqlText.runsOutsideTransaction(f!)).toBe(true);
    expect(sqlText.runsOutsideTransaction(g!)).toBe(true);
    expect(sqlText.runsOutsideTransaction(c!)).toBe(false);
  });
});

describe('directives', () => {
  test('are read from the leading comment lines', () => {
    expect(parseDirectives('-- walkeeper:no-transaction\nVACUUM;', 'f')).toEqual({
      transaction: false,
      foreignKeysOff: false,
    });
    expect(
      parseDirectives('-- a comment\n\n--walkeeper: foreign-keys = off\nSELECT 1;', 'f'),
    ).toEqual({ transaction: true, foreignKeysOff: true });
    expect(parseDirectives('SELECT 1;', 'f')).toEqual({ transaction: true, foreignKeysOff: false });
  });

  test('unknown, misplaced or conflicting directives are refused', async () => {
    const unknown = await caught(() => parseDirectives('-- walkeeper:no-transactoin\n', 'f.sql'));
    expect(unknown.code).toBe('E_MIGRATION_INVALID');
    expect(unknown.details?.reason).toBe('unknown-directive');
    expect(unknown.message).toContain('f.sql');
    const late = await caught(() =>
      parseDirectives('SELECT 1;\n-- walkeeper:no-transaction\n', 'f.sql'),
    );
    expect(late.details).toMatchObject({ reason: 'misplaced-directive', line: 2 });
    const both = await caught(() =>
      parseDirectives('-- walkeeper:no-transaction\n-- walkeeper:foreign-keys=off\n', 'f.sql'),
    );
    expect(both.details?.reason).toBe('conflicting-directives');
  });
});
