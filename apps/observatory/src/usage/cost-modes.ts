import { costOf, PRICES, type PriceTable, priceOf, type TokenCounts } from './pricing.js';

/** ccusage's names: costUSD if the line has one else the price table; always the table; only costUSD. */
export const COST_MODES = ['auto', 'calculate', 'display'] as const;
export type CostMode = (typeof COST_MODES)[number];

/** A rollup row (usage_hourly, usage_sessions) summed over some key. */
export interface RollupRow {
  model: string;
  /** 1 when the calls' lines recorded costUSD (its sum is `cost_usd`). */
  recorded: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  cache_read_tokens: number;
  input_above: number;
  output_above: number;
  cache_write_5m_above: number;
  cache_write_1h_above: number;
  cache_read_above: number;
  cost_usd: number;
}

/**
 * The cost of a rollup row in a mode, or null when it has none: a model the price table does
 * not know (unless its lines recorded costUSD and the mode uses it), or, in `display` mode,
 * calls whose lines recorded no cost. Never $0 for tokens without a price. Claude Code's own
 * `<synthetic>` messages (model '') are no API call: they cost 0.
 */
export function rowCost(row: RollupRow, mode: CostMode, table: PriceTable = PRICES): number | null {
  if (row.recorded === 1 && mode !== 'calculate') return row.cost_usd;
  if (mode === 'display') return null;
  if (row.model === '') return 0;
  const price = priceOf(row.model, table);
  if (price === undefined) return null;
  return costOf(price, rowTokens(row), rowAbove(row));
}

export function rowTokens(row: RollupRow): TokenCounts {
  return {
    input: row.input_tokens,
    output: row.output_tokens,
    cacheWrite5m: row.cache_write_5m_tokens,
    cacheWrite1h: row.cache_write_1h_tokens,
    cacheRead: row.cache_read_tokens,
  };
}

function rowAbove(row: RollupRow): TokenCounts {
  return {
    input: row.input_above,
    output: row.output_above,
    cacheWrite5m: row.cache_write_5m_above,
    cacheWrite1h: row.cache_write_1h_above,
    cacheRead: row.cache_read_above,
  };
}
