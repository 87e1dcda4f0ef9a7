import { type CostMode, type RollupRow, rowCost } from './cost-modes.js';
import type { PriceTable } from './pricing.js';

/** One model's share of a report row, in ccusage's field names; `cost` null when unpriced. */
export interface ModelBreakdown {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  cost: number | null;
}

/**
 * Tokens and cost of a report row in ccusage's field names. `totalCost` is what the priced
 * tokens cost (null when no token had a price); `unpricedTokens` and `unpricedModels` say
 * what it leaves out, so an unknown model never reads as free.
 */
export interface UsageTotals {
  inputTokens: number;
  outputTokens: number;
  cacheCreationTokens: number;
  cacheReadTokens: number;
  totalTokens: number;
  totalCost: number | null;
  unpricedTokens: number;
  unpricedModels: string[];
  /** API calls counted (each once, however many lines and sessions carried it). */
  calls: number;
}

export interface UsageGroup extends UsageTotals {
  modelsUsed: string[];
  modelBreakdowns: ModelBreakdown[];
}

/** Sums rollup rows into totals and per-model breakdowns, pricing each row in one mode. */
export class UsageSum {
  readonly #models = new Map<string, ModelBreakdown & { priced: boolean; unpriced: number }>();
  readonly #mode: CostMode;
  readonly #table: PriceTable | undefined;
  calls = 0;

  constructor(mode: CostMode, table?: PriceTable) {
    this.#mode = mode;
    this.#table = table;
  }

  add(row: RollupRow): void {
    let model = this.#models.get(row.model);
    if (model === undefined) {
      model = {
        modelName: row.model,
        inputTokens: 0,
        outputTokens: 0,
        cacheCreationTokens: 0,
        cacheReadTokens: 0,
        cost: null,
        priced: false,
        unpriced: 0,
      };
      this.#models.set(row.model, model);
    }
    const tokens =
      row.input_tokens +
      row.output_tokens +
      row.cache_write_5m_tokens +
      row.cache_write_1h_tokens +
      row.cache_read_tokens;
    model.inputTokens += row.input_tokens;
    model.outputTokens += row.output_tokens;
    model.cacheCreationTokens += row.cache_write_5m_tokens + row.cache_write_1h_tokens;
    model.cacheReadTokens += row.cache_read_tokens;
    this.calls += row.calls;
    const cost = rowCost(row, this.#mode, this.#table);
    if (cost === null) model.unpriced += tokens;
    else model.cost = (model.cost ?? 0) + cost;
  }

  get empty(): boolean {
    return this.#models.size === 0;
  }

  result(): UsageGroup {
    const group: UsageGroup = {
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationTokens: 0,
      cacheReadTokens: 0,
      totalTokens: 0,
      totalCost: null,
      unpricedTokens: 0,
      unpricedModels: [],
      calls: this.calls,
      modelsUsed: [],
      modelBreakdowns: [],
    };
    const models = [...this.#models.values()].sort((a, b) =>
      a.modelName.localeCompare(b.modelName),
    );
    for (const { priced: _priced, unpriced, ...model } of models) {
      group.inputTokens += model.inputTokens;
      group.outputTokens += model.outputTokens;
      group.cacheCreationTokens += model.cacheCreationTokens;
      group.cacheReadTokens += model.cacheReadTokens;
      if (model.cost !== null) group.totalCost = (group.totalCost ?? 0) + model.cost;
      group.unpricedTokens += unpriced;
      // Claude Code's own <synthetic> messages: counted, but no model was used.
      if (model.modelName === '') continue;
      if (unpriced > 0) group.unpricedModels.push(model.modelName);
      group.modelsUsed.push(model.modelName);
      group.modelBreakdowns.push(model);
    }
    group.totalTokens =
      group.inputTokens + group.outputTokens + group.cacheCreationTokens + group.cacheReadTokens;
    return group;
  }
}

/** Sums rows into groups by a key, in key order. */
export function groupUsage<Row extends RollupRow>(
  rows: Iterable<Row>,
  keyOf: (row: Row) => string | undefined,
  mode: CostMode,
): Map<string, UsageSum> {
  const groups = new Map<string, UsageSum>();
  for (const row of rows) {
    const key = keyOf(row);
    if (key === undefined) continue;
    let sum = groups.get(key);
    if (sum === undefined) {
      sum = new UsageSum(mode);
      groups.set(key, sum);
    }
    sum.add(row);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
