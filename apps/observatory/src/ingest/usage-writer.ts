import type { WriteTransaction } from '@walkeeper/core';
import { splitAbove, type TokenCounts } from '../usage/pricing.js';
import type { Usage } from './entry.js';

/** A counted API call as token_usage holds it. */
interface CallRow {
  id: number;
  session_id: number;
  project_id: number;
  model: string;
  at: string;
  sidechain: number;
  relayed: number;
  input_tokens: number;
  output_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  cache_read_tokens: number;
  cost_usd: number | null;
}

/** What one call adds to a rollup row (or takes away, with sign -1). */
interface Share {
  calls: number;
  tokens: TokenCounts;
  above: TokenCounts;
  cost: number;
}

const CALL_COLUMNS = `id, session_id, project_id, model, at, sidechain, relayed, input_tokens,
  output_tokens, cache_write_5m_tokens, cache_write_1h_tokens, cache_read_tokens, cost_usd`;
// The copy with the same request id, else (a sidechain replays its parent's message under a
// new request id: the same call) one where either side is a sidechain's. One index range.
const FIND_COPY = `SELECT ${CALL_COLUMNS} FROM token_usage
  WHERE api_message_id = ? AND (request_id = ? OR sidechain = 1 OR ? = 1)
  ORDER BY request_id = ? DESC LIMIT 1`;
const INSERT_CALL = `INSERT INTO token_usage (api_message_id, request_id, session_id, project_id,
  message_id, model, at, sidechain, relayed, input_tokens, output_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, cache_read_tokens, cost_usd)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const REPLACE_CALL = `UPDATE token_usage SET session_id = ?, project_id = ?, message_id = ?,
  model = ?, at = ?, sidechain = ?, relayed = ?, input_tokens = ?, output_tokens = ?,
  cache_write_5m_tokens = ?, cache_write_1h_tokens = ?, cache_read_tokens = ?, cost_usd = ?
  WHERE id = ?`;
const ROLLUP_SET = `calls = calls + excluded.calls,
  input_tokens = input_tokens + excluded.input_tokens,
  output_tokens = output_tokens + excluded.output_tokens,
  cache_write_5m_tokens = cache_write_5m_tokens + excluded.cache_write_5m_tokens,
  cache_write_1h_tokens = cache_write_1h_tokens + excluded.cache_write_1h_tokens,
  cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
  input_above = input_above + excluded.input_above,
  output_above = output_above + excluded.output_above,
  cache_write_5m_above = cache_write_5m_above + excluded.cache_write_5m_above,
  cache_write_1h_above = cache_write_1h_above + excluded.cache_write_1h_above,
  cache_read_above = cache_read_above + excluded.cache_read_above,
  cost_usd = cost_usd + excluded.cost_usd`;
const ROLLUP_VALUES = `calls, input_tokens, output_tokens, cache_write_5m_tokens,
  cache_write_1h_tokens, cache_read_tokens, input_above, output_above, cache_write_5m_above,
  cache_write_1h_above, cache_read_above, cost_usd`;
const ADD_HOURLY = `INSERT INTO usage_hourly (hour, project_id, model, recorded, ${ROLLUP_VALUES})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (hour, project_id, model, recorded) DO UPDATE SET ${ROLLUP_SET}`;
const ADD_SESSION = `INSERT INTO usage_sessions (session_id, model, recorded, ${ROLLUP_VALUES})
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (session_id, model, recorded) DO UPDATE SET ${ROLLUP_SET}`;
const ADD_SESSION_TOKENS = `UPDATE sessions SET input_tokens = input_tokens + ?,
  output_tokens = output_tokens + ?, cache_creation_tokens = cache_creation_tokens + ?,
  cache_read_tokens = cache_read_tokens + ? WHERE id = ?`;

export interface UsageLine {
  usage: Usage;
  /** The messages rowid of the line. */
  messageId: number;
}

/**
 * Counts a batch's usage lines into token_usage and its rollups, each API call once across
 * every session: a copy (same message.id and requestId, or a sidechain's replay of the same
 * message.id) folds into the call already counted, and replaces it when it is the better
 * copy (see `better`), moving the call's
 * share of the rollups with it. A line without message.id is a call of its own.
 * Returns how many lines were folded.
 */
export function countUsage(
  tx: WriteTransaction,
  where: { sessionId: number; projectId: number },
  lines: readonly UsageLine[],
): number {
  const rollups = new Rollups();
  // Streamed lines of one reply mostly sit in one batch: folded here first, so the database
  // is asked once per call.
  const calls = new Map<
    string,
    { row: CallRow; key: string; requestId: string; line: number; hasId: boolean }
  >();
  let folded = 0;
  for (const { usage, messageId } of lines) {
    const key = usage.messageId ?? `line:${messageId}`;
    const requestId = usage.requestId ?? '';
    const row = asRow(where, usage);
    const id = `${key}\u0000${requestId}`;
    const seen = calls.get(id);
    if (seen === undefined)
      calls.set(id, { row, key, requestId, line: messageId, hasId: usage.messageId !== null });
    else {
      folded++;
      if (better(row, seen.row)) Object.assign(seen, { row, line: messageId });
    }
  }
  for (const { row, key, requestId, line, hasId } of calls.values()) {
    // A line without a message id is a call of its own.
    const existing = hasId
      ? tx.get<CallRow>(FIND_COPY, [key, requestId, row.sidechain, requestId])
      : undefined;
    if (existing === undefined) {
      tx.run(INSERT_CALL, [key, requestId, row.session_id, row.project_id, line, ...values(row)]);
      rollups.add(row, 1);
      continue;
    }
    folded++;
    if (!better(row, existing)) continue;
    rollups.add(existing, -1);
    tx.run(REPLACE_CALL, [row.session_id, row.project_id, line, ...values(row), existing.id]);
    rollups.add(row, 1);
  }
  rollups.write(tx);
  return folded;
}

/** Takes a session's counted calls out of the rollups and deletes them (a file read again). */
export function forgetUsage(tx: WriteTransaction, sessionId: number): void {
  const rollups = new Rollups();
  for (const row of tx.all<CallRow>(
    `SELECT ${CALL_COLUMNS} FROM token_usage WHERE session_id = ?`,
    [sessionId],
  )) {
    rollups.add(row, -1);
  }
  rollups.write(tx);
  tx.run('DELETE FROM token_usage WHERE session_id = ?', [sessionId]);
}

function asRow(where: { sessionId: number; projectId: number }, usage: Usage): CallRow {
  return {
    id: 0,
    session_id: where.sessionId,
    project_id: where.projectId,
    model: usage.model,
    at: new Date(usage.at).toISOString(),
    sidechain: Number(usage.sidechain),
    relayed: Number(usage.relayed),
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_write_5m_tokens: usage.cacheWrite5mTokens,
    cache_write_1h_tokens: usage.cacheWrite1hTokens,
    cache_read_tokens: usage.cacheReadTokens,
    cost_usd: usage.costUSD,
  };
}

/** The columns after message_id, in INSERT_CALL's and REPLACE_CALL's order. */
function values(row: CallRow): unknown[] {
  return [
    row.model,
    row.at,
    row.sidechain,
    row.relayed,
    row.input_tokens,
    row.output_tokens,
    row.cache_write_5m_tokens,
    row.cache_write_1h_tokens,
    row.cache_read_tokens,
    row.cost_usd,
  ];
}

function total(row: CallRow): number {
  return (
    row.input_tokens +
    row.output_tokens +
    row.cache_write_5m_tokens +
    row.cache_write_1h_tokens +
    row.cache_read_tokens
  );
}

/**
 * Whether a copy replaces the counted one. Of two equal copies where one is a parent's relay
 * of a subagent's reply, the subagent's own line, so the call counts in its own session;
 * else ccusage's order: not a sidechain's copy, then more tokens.
 */
function better(candidate: CallRow, counted: CallRow): boolean {
  const difference = total(candidate) - total(counted);
  if (difference === 0 && candidate.relayed !== counted.relayed)
    return candidate.relayed < counted.relayed;
  if (candidate.sidechain !== counted.sidechain) return counted.sidechain === 1;
  return difference > 0;
}

function tokensOf(row: CallRow): TokenCounts {
  return {
    input: row.input_tokens,
    output: row.output_tokens,
    cacheWrite5m: row.cache_write_5m_tokens,
    cacheWrite1h: row.cache_write_1h_tokens,
    cacheRead: row.cache_read_tokens,
  };
}

/** Rollup changes of one batch, summed in memory and written once per row. */
class Rollups {
  readonly #hourly = new Map<string, { key: unknown[]; share: Share }>();
  readonly #sessions = new Map<string, { key: unknown[]; share: Share }>();
  readonly #sessionTokens = new Map<number, TokenCounts>();

  add(row: CallRow, sign: 1 | -1): void {
    const tokens = tokensOf(row);
    const above = splitAbove(tokens);
    const recorded = row.cost_usd === null ? 0 : 1;
    const hour = row.at.slice(0, 13);
    const share = (map: Map<string, { key: unknown[]; share: Share }>, key: unknown[]) => {
      const id = key.join('\u0000');
      let entry = map.get(id);
      if (entry === undefined) {
        entry = { key, share: { calls: 0, tokens: zero(), above: zero(), cost: 0 } };
        map.set(id, entry);
      }
      entry.share.calls += sign;
      addCounts(entry.share.tokens, tokens, sign);
      addCounts(entry.share.above, above, sign);
      entry.share.cost += sign * (row.cost_usd ?? 0);
    };
    share(this.#hourly, [hour, row.project_id, row.model, recorded]);
    share(this.#sessions, [row.session_id, row.model, recorded]);
    let session = this.#sessionTokens.get(row.session_id);
    if (session === undefined) {
      session = zero();
      this.#sessionTokens.set(row.session_id, session);
    }
    addCounts(session, tokens, sign);
  }

  write(tx: WriteTransaction): void {
    for (const { key, share } of this.#hourly.values())
      tx.run(ADD_HOURLY, [...key, ...flat(share)]);
    for (const { key, share } of this.#sessions.values())
      tx.run(ADD_SESSION, [...key, ...flat(share)]);
    if (this.#hourly.size > 0) {
      tx.run(
        'DELETE FROM usage_hourly WHERE calls <= 0 AND hour IN (SELECT value FROM json_each(?))',
        [JSON.stringify([...new Set([...this.#hourly.values()].map(({ key }) => key[0]))])],
      );
    }
    for (const [session, t] of this.#sessionTokens) {
      tx.run(ADD_SESSION_TOKENS, [
        t.input,
        t.output,
        t.cacheWrite5m + t.cacheWrite1h,
        t.cacheRead,
        session,
      ]);
      tx.run('DELETE FROM usage_sessions WHERE session_id = ? AND calls <= 0', [session]);
    }
  }
}

function zero(): TokenCounts {
  return { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
}

function addCounts(into: TokenCounts, from: TokenCounts, sign: number): void {
  into.input += sign * from.input;
  into.output += sign * from.output;
  into.cacheWrite5m += sign * from.cacheWrite5m;
  into.cacheWrite1h += sign * from.cacheWrite1h;
  into.cacheRead += sign * from.cacheRead;
}

function flat(share: Share): unknown[] {
  const { tokens: t, above: a } = share;
  return [
    share.calls,
    t.input,
    t.output,
    t.cacheWrite5m,
    t.cacheWrite1h,
    t.cacheRead,
    a.input,
    a.output,
    a.cacheWrite5m,
    a.cacheWrite1h,
    a.cacheRead,
    share.cost,
  ];
}
