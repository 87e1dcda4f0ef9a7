import { readFileSync } from 'node:fs';

/** Token counts of one API call or a sum of them, as the price table prices them. */
export interface TokenCounts {
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** USD per million tokens of each kind. */
export type Rates = { [Kind in keyof TokenCounts]: number };

export interface ModelPrice extends Rates {
  id: string;
  /** The rates of the part of a count above the table's `longContextAbove`. */
  longContext?: Rates;
}

export interface PriceTable {
  version: string;
  source: string;
  longContextAbove: number;
  models: ModelPrice[];
}

export const TOKEN_KINDS: readonly (keyof TokenCounts)[] = [
  'input',
  'output',
  'cacheWrite5m',
  'cacheWrite1h',
  'cacheRead',
];

/** The bundled table (`prices.json`, with its source and date). */
export const PRICES: PriceTable = loadPriceTable(
  readFileSync(new URL('./prices.json', import.meta.url), 'utf8'),
);

/** Parses and checks a price table: a wrong table must fail at start, not price at $0. */
export function loadPriceTable(text: string): PriceTable {
  const table = JSON.parse(text) as PriceTable;
  if (typeof table.version !== 'string' || typeof table.source !== 'string')
    throw new Error('the price table needs a version and a source');
  if (!(table.longContextAbove > 0)) throw new Error('the price table needs longContextAbove');
  for (const model of table.models) {
    for (const rates of [model, model.longContext]) {
      if (rates === undefined) continue;
      for (const kind of TOKEN_KINDS) {
        if (typeof rates[kind] !== 'number' || !(rates[kind] >= 0))
          throw new Error(`the price of ${model.id} has no valid ${kind} rate`);
      }
    }
  }
  return table;
}

const DATED = /-\d{8}$/;

/** The price of a model: its exact id, or its id with a `-YYYYMMDD` date; else undefined. */
export function priceOf(model: string, table: PriceTable = PRICES): ModelPrice | undefined {
  const base = DATED.test(model) ? model.slice(0, -9) : model;
  return table.models.find((price) => price.id === model || price.id === base);
}

/**
 * The cost in USD of `total` tokens of which `above` are past the long-context threshold
 * (each count's share above it, per call, summed: see `splitAbove`).
 */
export function costOf(price: ModelPrice, total: TokenCounts, above: TokenCounts): number {
  let micro = 0;
  for (const kind of TOKEN_KINDS) {
    const long = price.longContext?.[kind] ?? price[kind];
    micro += (total[kind] - above[kind]) * price[kind] + above[kind] * long;
  }
  return micro / 1e6;
}

/** The part of each count above the long-context threshold. */
export function splitAbove(counts: TokenCounts, table: PriceTable = PRICES): TokenCounts {
  const at = table.longContextAbove;
  return {
    input: Math.max(0, counts.input - at),
    output: Math.max(0, counts.output - at),
    cacheWrite5m: Math.max(0, counts.cacheWrite5m - at),
    cacheWrite1h: Math.max(0, counts.cacheWrite1h - at),
    cacheRead: Math.max(0, counts.cacheRead - at),
  };
}
