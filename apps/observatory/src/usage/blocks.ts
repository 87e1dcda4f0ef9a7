import type { CostMode, RollupRow } from './cost-modes.js';
import { splitAbove } from './pricing.js';
import { UsageSum, type UsageTotals } from './usage-totals.js';

/** One counted API call, as token_usage holds it (the blocks query's row). */
export interface CallRow {
  at: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cache_write_5m_tokens: number;
  cache_write_1h_tokens: number;
  cache_read_tokens: number;
  cost_usd: number | null;
}

export interface BurnRate {
  tokensPerMinute: number;
  /** Input and output only, as ccusage's indicator shows it. */
  tokensPerMinuteForIndicator: number;
  costPerHour: number | null;
}

export interface Projection {
  totalTokens: number;
  totalCost: number | null;
  remainingMinutes: number;
}

/** A 5-hour billing block (or the gap between two), in ccusage's field names. */
export interface Block extends UsageTotals {
  id: string;
  startTime: string;
  endTime: string;
  actualEndTime: string | null;
  isActive: boolean;
  isGap: boolean;
  entries: number;
  models: string[];
  burnRate: BurnRate | null;
  projection: Projection | null;
}

const HOUR = 3_600_000;
export const BLOCK_HOURS = 5;

/**
 * Claude's usage limits run in 5-hour windows that start with the first message after one
 * ends, on the hour: a block starts at its first call's hour and takes every call until 5
 * hours after that start, or until 5 quiet hours; a longer silence is a gap block. The block
 * still open at `now` is active, with its burn rate (since its first call) and a projection
 * to its end. As ccusage builds them, from calls in time order.
 */
export function billingBlocks(
  calls: Iterable<CallRow>,
  mode: CostMode,
  now: number = Date.now(),
): Block[] {
  const blocks: Block[] = [];
  const span = BLOCK_HOURS * HOUR;
  let open: { start: number; first: number; last: number; sum: UsageSum; entries: number } | null =
    null;
  const close = () => {
    if (open === null) return;
    blocks.push(finish(open, span, now));
  };
  for (const call of calls) {
    const at = Date.parse(call.at);
    if (open !== null && (at - open.start > span || at - open.last > span)) {
      const last = open.last;
      close();
      if (at - last > span) blocks.push(gap(last + span, at));
      open = null;
    }
    if (open === null) {
      open = {
        start: Math.floor(at / HOUR) * HOUR,
        first: at,
        last: at,
        sum: new UsageSum(mode),
        entries: 0,
      };
    }
    open.last = at;
    open.entries++;
    open.sum.add(callRollup(call));
  }
  close();
  return blocks;
}

function finish(
  block: { start: number; first: number; last: number; sum: UsageSum; entries: number },
  span: number,
  now: number,
): Block {
  const end = block.start + span;
  const totals = block.sum.result();
  const isActive = now - block.last < span && now < end;
  const minutes = (block.last - block.first) / 60_000;
  const burnRate: BurnRate | null =
    isActive && minutes > 0
      ? {
          tokensPerMinute: totals.totalTokens / minutes,
          tokensPerMinuteForIndicator: (totals.inputTokens + totals.outputTokens) / minutes,
          costPerHour: totals.totalCost === null ? null : (totals.totalCost / minutes) * 60,
        }
      : null;
  let projection: Projection | null = null;
  if (burnRate !== null) {
    const remainingMinutes = Math.round((end - now) / 60_000);
    projection = {
      totalTokens: Math.round(totals.totalTokens + burnRate.tokensPerMinute * remainingMinutes),
      totalCost:
        totals.totalCost === null || burnRate.costPerHour === null
          ? null
          : Math.round((totals.totalCost + (burnRate.costPerHour / 60) * remainingMinutes) * 100) /
            100,
      remainingMinutes,
    };
  }
  const { modelsUsed, modelBreakdowns: _breakdowns, ...rest } = totals;
  return {
    id: new Date(block.start).toISOString(),
    startTime: new Date(block.start).toISOString(),
    endTime: new Date(end).toISOString(),
    actualEndTime: new Date(block.last).toISOString(),
    isActive,
    isGap: false,
    entries: block.entries,
    ...rest,
    models: modelsUsed,
    burnRate,
    projection,
  };
}

function gap(start: number, end: number): Block {
  const id = new Date(start).toISOString();
  return {
    id: `gap-${id}`,
    startTime: id,
    endTime: new Date(end).toISOString(),
    actualEndTime: null,
    isActive: false,
    isGap: true,
    entries: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationTokens: 0,
    cacheReadTokens: 0,
    totalTokens: 0,
    totalCost: 0,
    unpricedTokens: 0,
    unpricedModels: [],
    calls: 0,
    models: [],
    burnRate: null,
    projection: null,
  };
}

/** A call as a rollup row of one call, so it is priced like any rollup. */
export function callRollup(call: CallRow): RollupRow {
  const above = splitAbove({
    input: call.input_tokens,
    output: call.output_tokens,
    cacheWrite5m: call.cache_write_5m_tokens,
    cacheWrite1h: call.cache_write_1h_tokens,
    cacheRead: call.cache_read_tokens,
  });
  return {
    model: call.model,
    recorded: call.cost_usd === null ? 0 : 1,
    calls: 1,
    input_tokens: call.input_tokens,
    output_tokens: call.output_tokens,
    cache_write_5m_tokens: call.cache_write_5m_tokens,
    cache_write_1h_tokens: call.cache_write_1h_tokens,
    cache_read_tokens: call.cache_read_tokens,
    input_above: above.input,
    output_above: above.output,
    cache_write_5m_above: above.cacheWrite5m,
    cache_write_1h_above: above.cacheWrite1h,
    cache_read_above: above.cacheRead,
    cost_usd: call.cost_usd ?? 0,
  };
}
