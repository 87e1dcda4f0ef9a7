import type { SqliteRow } from '@walkeeper/core';
import type { Query } from './crash-check.js';
import { unitChecksum, unitPayload } from './fixtures/batch-schema.mjs';

/** What one child process was told and what it reported before it was killed. */
export interface BatchGeneration {
  /** Units meant to commit took ids from here up, one per call, in call order. */
  firstId: number;
  /** Units meant to fail (a throw, a constraint, a rolled-back savepoint) took ids from here up. */
  failFirstId: number;
  /** Ids whose promise resolved: the child said so only afterwards. */
  committed: ReadonlySet<number>;
  /** Ids whose promise rejected as intended. */
  rejected: ReadonlySet<number>;
}

/** Ids a generation may use in each range: far more than a child writes before it is killed. */
export const ID_SPAN = 500_000;

export interface BatchCheckReport {
  /** Everything wrong, in words; empty when the database is as it must be. */
  problems: string[];
  /** Reported (resolved) units that are not there. */
  lost: number;
  /** Units whose items are there in part, or differ from what was written. */
  partial: number;
  /** Units of the failing range found on disk: a rolled-back savepoint or transaction leaked. */
  leaked: number;
  /** Units meant to commit that are missing while a later call of the same process is there. */
  outOfOrder: number;
  /** Unit and item rows compared against what their unit wrote. */
  rowsChecked: number;
}

function bytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length);
  throw new Error(`expected a BLOB, got ${typeof value}`);
}

/**
 * Checks a database the batch crash test wrote, after a kill, against every generation that
 * wrote it: SQLite's integrity check; every unit whole (its items byte for byte, its checksum);
 * every resolved unit there; no unit of the failing range anywhere (a member that threw, met a
 * constraint or was a rolled-back savepoint left nothing); and, since async writes commit in
 * call order, each generation's committed units a gapless run from its first id, so a reported
 * unit implies every unit called before it.
 */
export async function checkBatchDatabase(
  query: Query,
  generations: readonly BatchGeneration[],
): Promise<BatchCheckReport> {
  const report: BatchCheckReport = {
    problems: [],
    lost: 0,
    partial: 0,
    leaked: 0,
    outOfOrder: 0,
    rowsChecked: 0,
  };
  const { problems } = report;
  const integrity = await query('PRAGMA integrity_check');
  if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok')
    problems.push(`integrity_check: ${JSON.stringify(integrity.slice(0, 5))}`);

  const tables = new Set(
    (await query("SELECT name FROM sqlite_master WHERE type = 'table'")).map((r) => r.name),
  );
  if (!tables.has('unit')) {
    // The first child of this file died before its schema committed: nothing may be reported.
    const reported = generations.reduce((n, g) => n + g.committed.size, 0);
    if (reported > 0) problems.push(`${reported} units reported but no schema`);
    report.lost = reported;
    return report;
  }

  const units = await query('SELECT id, rows, checksum FROM unit WHERE id > 0 ORDER BY id');
  const items = await query('SELECT unit_id, seq, payload FROM item ORDER BY unit_id, seq');
  const [sentinel] = await query('SELECT count(*) AS n FROM unit WHERE id = 0');
  if (Number(sentinel?.n) !== 1) problems.push('unit 0, written with the schema, is missing');
  const itemsByUnit = new Map<number, SqliteRow[]>();
  for (const item of items) {
    const id = Number(item.unit_id);
    const list = itemsByUnit.get(id);
    if (list) list.push(item);
    else itemsByUnit.set(id, [item]);
  }
  const present = new Set<number>();
  for (const unit of units) {
    const id = Number(unit.id);
    const rows = Number(unit.rows);
    present.add(id);
    const own = itemsByUnit.get(id) ?? [];
    itemsByUnit.delete(id);
    let whole = own.length === rows && unit.checksum === unitChecksum(id, rows);
    for (let i = 0; whole && i < own.length; i++)
      whole =
        Number(own[i]!.seq) === i + 1 && bytes(own[i]!.payload).equals(unitPayload(id, i + 1));
    report.rowsChecked += 1 + own.length;
    if (!whole) {
      report.partial++;
      problems.push(`unit ${id}: ${own.length} of ${rows} items, or items that differ`);
    }
  }
  for (const [id, orphans] of itemsByUnit) {
    report.partial++;
    problems.push(`unit ${id}: ${orphans.length} items on disk without its unit row`);
    // Visible all the same: a unit meant to fail counts as leaked below, too.
    present.add(id);
  }

  for (const generation of generations) {
    const lost = [...generation.committed].filter((id) => !present.has(id));
    report.lost += lost.length;
    if (lost.length > 0)
      problems.push(`${lost.length} resolved units lost, e.g. ${lost.slice(0, 10).join(', ')}`);
    const leaked = [...present].filter(
      (id) => id >= generation.failFirstId && id < generation.failFirstId + ID_SPAN,
    );
    report.leaked += leaked.length;
    if (leaked.length > 0) {
      const reported = leaked.filter((id) => generation.rejected.has(id)).length;
      problems.push(
        `${leaked.length} units meant to fail are on disk (${reported} of them reported rejected), e.g. ${leaked.slice(0, 10).join(', ')}`,
      );
    }
    const committedRange = [...present].filter(
      (id) => id >= generation.firstId && id < generation.firstId + ID_SPAN,
    );
    const last = committedRange.reduce((max, id) => Math.max(max, id), generation.firstId - 1);
    const gaps = last - generation.firstId + 1 - committedRange.length;
    report.outOfOrder += gaps;
    if (gaps > 0)
      problems.push(
        `${gaps} units called before unit ${last} of generation ${generation.firstId} are missing: commits out of call order`,
      );
  }
  return report;
}
