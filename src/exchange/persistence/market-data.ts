/**
 * Public market data built from the trades table and the books: 24 h tickers, depth, recent trades and klines.
 * Reads only; results are exact values (bigint units, ms times) that backpack-wire.ts formats.
 *
 * Decisions where Backpack's behaviour is unknown: a market that never traded reports zero prices; one with no
 * trade in the last 24 h reports its last price as first/last/high/low and zero volume. Klines are aligned to
 * UTC: fixed intervals from the Unix epoch, `1w` on Mondays, `1month` on calendar months; buckets without
 * trades are left out; at most MAX_KLINE_TRADES trades (the earliest in range) are read per request.
 */
import { bucketEnd, bucketStart, type KlineInterval } from '../model/kline-intervals.ts';
import { sql, type Kysely } from 'kysely';

import { AppError } from '../../errors.ts';
import type { Database } from '../../store/schema.ts';
import type { MarketBooks } from './market-books.ts';
import type { MarketConfig } from '../model/markets.ts';
import { getDepth, type DepthLevel } from '../engine/order-book.ts';
import { joinSplitSum, splitSum } from './supply.ts';

export interface TickerRecord {
  readonly symbol: string;
  /** Null when the market never traded. */
  readonly firstPrice: bigint | null;
  readonly lastPrice: bigint | null;
  readonly high: bigint | null;
  readonly low: bigint | null;
  readonly volume: bigint;
  readonly quoteVolume: bigint;
  readonly trades: number;
}

export interface DepthRecord {
  readonly bids: DepthLevel[];
  readonly asks: DepthLevel[];
  readonly sequence: number;
}

export interface PublicTradeRecord {
  readonly id: number;
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quoteQuantity: bigint;
  readonly timestamp: number;
  readonly isBuyerMaker: boolean;
}

export interface KlineRecord {
  readonly start: number;
  readonly end: number;
  readonly open: bigint;
  readonly high: bigint;
  readonly low: bigint;
  readonly close: bigint;
  readonly volume: bigint;
  readonly quoteVolume: bigint;
  readonly trades: number;
}

const DAY = 86_400_000;
export const MAX_KLINE_TRADES = 200_000;

/** The price of the market's most recent trade (any age), or null before its first trade. */
export async function getLastTradePrice(db: Kysely<Database>, market: MarketConfig): Promise<bigint | null> {
  const row = await db
    .selectFrom('trades')
    .select(sql<string>`cast(price as text)`.as('price'))
    .where('symbol', '=', market.symbol)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : BigInt(row.price);
}

export async function getTicker(
  db: Kysely<Database>,
  market: MarketConfig,
  now: number,
  windowMs: number = DAY,
): Promise<TickerRecord> {
  const since = now - windowMs;
  const stats = await db
    .selectFrom('trades')
    .select([
      sql<string | null>`cast(min(price) as text)`.as('low'),
      sql<string | null>`cast(max(price) as text)`.as('high'),
      // 24 h volume has no bound (the same money trades again and again): exact halves, supply.ts.
      splitSum(sql`quantity`).high.as('volume_high'),
      splitSum(sql`quantity`).low.as('volume_low'),
      splitSum(sql`quote_quantity`).high.as('quote_volume_high'),
      splitSum(sql`quote_quantity`).low.as('quote_volume_low'),
      sql<number | string>`count(*)`.as('trades'),
    ])
    .where('symbol', '=', market.symbol)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  const priceAt = async (direction: 'asc' | 'desc', from?: number): Promise<bigint | null> => {
    let query = db
      .selectFrom('trades')
      .select(sql<string>`cast(price as text)`.as('price'))
      .where('symbol', '=', market.symbol);
    if (from !== undefined) query = query.where('created_at', '>=', from);
    const row = await query
      .orderBy('created_at', direction)
      .orderBy('id', direction)
      .limit(1)
      .executeTakeFirst();
    return row === undefined ? null : BigInt(row.price);
  };
  const lastPrice = await priceAt('desc');
  const trades = Number(stats.trades);
  if (trades === 0) {
    return {
      symbol: market.symbol,
      firstPrice: lastPrice,
      lastPrice,
      high: lastPrice,
      low: lastPrice,
      volume: 0n,
      quoteVolume: 0n,
      trades: 0,
    };
  }
  return {
    symbol: market.symbol,
    firstPrice: await priceAt('asc', since),
    lastPrice,
    high: BigInt(stats.high as string),
    low: BigInt(stats.low as string),
    volume: joinSplitSum(stats.volume_high, stats.volume_low),
    quoteVolume: joinSplitSum(stats.quote_volume_high, stats.quote_volume_low),
    trades,
  };
}

/** Best `limit` levels per side, Backpack order (bids ascending, best last; asks ascending, best first). */
export async function getMarketDepth(
  books: MarketBooks,
  market: MarketConfig,
  limit: number,
): Promise<DepthRecord> {
  return books.read(market.symbol, (book, sequence) => ({ ...getDepth(book, limit), sequence }));
}

/** The most recent trades (after skipping `offset` newer ones), oldest first. */
export async function listPublicTrades(
  db: Kysely<Database>,
  market: MarketConfig,
  page: { limit: number; offset: number },
): Promise<PublicTradeRecord[]> {
  const rows = await db
    .selectFrom('trades')
    .select([
      'id',
      sql<string>`cast(price as text)`.as('price'),
      sql<string>`cast(quantity as text)`.as('quantity'),
      sql<string>`cast(quote_quantity as text)`.as('quote_quantity'),
      'taker_side',
      'created_at',
    ])
    .where('symbol', '=', market.symbol)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return rows.reverse().map((row) => ({
    id: Number(row.id),
    price: BigInt(row.price),
    quantity: BigInt(row.quantity),
    quoteQuantity: BigInt(row.quote_quantity),
    timestamp: Number(row.created_at),
    isBuyerMaker: row.taker_side === 'Ask',
  }));
}

/** Candles of `interval` with at least one trade in [startMs, endMs). */
export async function listKlines(
  db: Kysely<Database>,
  market: MarketConfig,
  input: { interval: KlineInterval; startMs: number; endMs: number },
): Promise<KlineRecord[]> {
  if (input.endMs <= input.startMs)
    throw new AppError('INVALID_CLIENT_REQUEST', 'endTime must be after startTime');
  const rows = await db
    .selectFrom('trades')
    .select([
      sql<string>`cast(price as text)`.as('price'),
      sql<string>`cast(quantity as text)`.as('quantity'),
      sql<string>`cast(quote_quantity as text)`.as('quote_quantity'),
      'created_at',
    ])
    .where('symbol', '=', market.symbol)
    .where('created_at', '>=', input.startMs)
    .where('created_at', '<', input.endMs)
    .orderBy('created_at')
    .orderBy('id')
    .limit(MAX_KLINE_TRADES)
    .execute();
  const candles: KlineRecord[] = [];
  let current: { -readonly [K in keyof KlineRecord]: KlineRecord[K] } | undefined;
  for (const row of rows) {
    const time = Number(row.created_at);
    const price = BigInt(row.price);
    if (current === undefined || time >= current.end) {
      const start = bucketStart(input.interval, time);
      current = {
        start,
        end: bucketEnd(input.interval, start),
        open: price,
        high: price,
        low: price,
        close: price,
        volume: 0n,
        quoteVolume: 0n,
        trades: 0,
      };
      candles.push(current);
    }
    if (price > current.high) current.high = price;
    if (price < current.low) current.low = price;
    current.close = price;
    current.volume += BigInt(row.quantity);
    current.quoteVolume += BigInt(row.quote_quantity);
    current.trades += 1;
  }
  return candles;
}
