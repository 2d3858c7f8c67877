/**
 * Backpack's stream payloads (`data` of `{"stream","data"}`), made from market events. Pure formatting.
 *
 * Types follow the shared field tables: E and T are µs JSON numbers, depth U/u and bookTicker u are numbers,
 * trade ids are numbers and order ids strings, kline t/T are ISO date-times without a zone, decimals are strings
 * padded to the market's decimals. Order updates always carry `q` (the Rust client requires it): for a market
 * order placed by quote quantity, which has no quantity, `q` is the quantity executed so far.
 */
import { formatDecimal, type MarketConfig } from '../../exchange/index.ts';
import type { LevelChange, OrderEvent, TradeEvent } from '../../events/index.ts';

/** Places after the point of a tick or step size ("0.01" -> 2). */
function placesOf(size: string): number {
  const point = size.indexOf('.');
  return point === -1 ? 0 : size.length - point - 1;
}

/** A decimal padded to `places` (streams pad prices to the tick and quantities to the step: "150.00"). */
function padded(units: bigint, decimals: number, places: number): string {
  const text = formatDecimal(units, decimals);
  const point = text.indexOf('.');
  const have = point === -1 ? 0 : text.length - point - 1;
  if (have >= places) return text;
  return (point === -1 ? `${text}.` : text) + '0'.repeat(places - have);
}

const formats = new WeakMap<
  MarketConfig,
  { price: (u: bigint) => string; quantity: (u: bigint) => string }
>();

/** The market's stream formats: prices to the tick, quantities to the step (at least). */
export function marketFormat(market: MarketConfig): {
  price: (units: bigint) => string;
  quantity: (units: bigint) => string;
} {
  let format = formats.get(market);
  if (format === undefined) {
    const pricePlaces = placesOf(market.tickSize);
    const quantityPlaces = placesOf(market.stepSize);
    format = {
      price: (units) => padded(units, market.quoteDecimals, pricePlaces),
      quantity: (units) => padded(units, market.baseDecimals, quantityPlaces),
    };
    formats.set(market, format);
  }
  return format;
}

export interface Envelope {
  stream: string;
  data: Record<string, unknown>;
}

export function formatLevels(levels: readonly LevelChange[], market: MarketConfig): [string, string][] {
  const format = marketFormat(market);
  return levels.map(([price, quantity]) => [format.price(BigInt(price)), format.quantity(BigInt(quantity))]);
}

export function depthMessage(input: {
  market: MarketConfig;
  eventTime: number;
  engineTime: number;
  bids: readonly LevelChange[];
  asks: readonly LevelChange[];
  firstSequence: number;
  lastSequence: number;
}): Record<string, unknown> {
  return {
    e: 'depth',
    E: input.eventTime,
    s: input.market.symbol,
    a: formatLevels(input.asks, input.market),
    b: formatLevels(input.bids, input.market),
    U: input.firstSequence,
    u: input.lastSequence,
    T: input.engineTime,
  };
}

export function bookTickerMessage(input: {
  market: MarketConfig;
  eventTime: number;
  engineTime: number;
  bestBid: LevelChange | null;
  bestAsk: LevelChange | null;
  sequence: number;
}): Record<string, unknown> {
  const { market } = input;
  const format = marketFormat(market);
  const price = (level: LevelChange | null): string | null =>
    level === null ? null : format.price(BigInt(level[0]));
  const quantity = (level: LevelChange | null): string | null =>
    level === null ? null : format.quantity(BigInt(level[1]));
  return {
    e: 'bookTicker',
    E: input.eventTime,
    s: market.symbol,
    a: price(input.bestAsk),
    A: quantity(input.bestAsk),
    b: price(input.bestBid),
    B: quantity(input.bestBid),
    u: input.sequence,
    T: input.engineTime,
  };
}

export function tradeMessage(
  trade: TradeEvent,
  market: MarketConfig,
  eventTime: number,
): Record<string, unknown> {
  return {
    e: 'trade',
    E: eventTime,
    s: market.symbol,
    p: marketFormat(market).price(BigInt(trade.price)),
    q: marketFormat(market).quantity(BigInt(trade.quantity)),
    b: trade.buyerOrderId,
    a: trade.sellerOrderId,
    t: trade.id,
    T: trade.time * 1000,
    m: trade.buyerIsMaker,
  };
}

export interface Candle {
  start: number;
  end: number;
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  volume: bigint;
  trades: number;
}

/** "2024-09-11T12:00:00" */
export function formatStreamTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

export function klineMessage(input: {
  market: MarketConfig;
  candle: Candle;
  closed: boolean;
  eventTime: number;
}): Record<string, unknown> {
  const { market, candle } = input;
  const format = marketFormat(market);
  const price = format.price;
  return {
    e: 'kline',
    E: input.eventTime,
    s: market.symbol,
    t: formatStreamTime(candle.start),
    T: formatStreamTime(candle.end),
    o: price(candle.open),
    c: price(candle.close),
    h: price(candle.high),
    l: price(candle.low),
    v: format.quantity(candle.volume),
    n: candle.trades,
    X: input.closed,
  };
}

export function tickerMessage(input: {
  market: MarketConfig;
  eventTime: number;
  first: bigint | null;
  last: bigint | null;
  high: bigint | null;
  low: bigint | null;
  volume: bigint;
  quoteVolume: bigint;
  trades: number;
}): Record<string, unknown> {
  const { market } = input;
  const format = marketFormat(market);
  const price = (units: bigint | null): string => format.price(units ?? 0n);
  return {
    e: 'ticker',
    E: input.eventTime,
    s: market.symbol,
    o: price(input.first),
    c: price(input.last),
    h: price(input.high),
    l: price(input.low),
    v: format.quantity(input.volume),
    V: formatDecimal(input.quoteVolume, market.quoteDecimals),
    n: input.trades,
  };
}

export function orderUpdateMessage(
  order: OrderEvent,
  market: MarketConfig,
  times: { eventTime: number; engineTime: number },
): Record<string, unknown> {
  const format = marketFormat(market);
  const base = (units: string): string => format.quantity(BigInt(units));
  const quote = (units: string): string => formatDecimal(BigInt(units), market.quoteDecimals);
  const price = (units: string): string => format.price(BigInt(units));
  const data: Record<string, unknown> = {
    e: order.e,
    E: times.eventTime,
    s: market.symbol,
  };
  if (order.clientId !== null) data['c'] = order.clientId;
  data['S'] = order.side;
  data['o'] = order.orderType === 'Limit' ? 'LIMIT' : 'MARKET';
  data['f'] = order.timeInForce;
  data['q'] = base(order.quantity ?? order.executedQuantity);
  if (order.quoteQuantity !== null) data['Q'] = quote(order.quoteQuantity);
  if (order.price !== null && order.orderType === 'Limit') data['p'] = price(order.price);
  data['X'] = order.status;
  if (order.e === 'orderExpired' && order.expiryReason !== null) data['R'] = order.expiryReason;
  data['i'] = order.id;
  if (order.fill !== undefined) {
    const feeDecimals =
      order.fill.feeSymbol === market.baseSymbol ? market.baseDecimals : market.quoteDecimals;
    data['t'] = order.fill.tradeId;
    data['l'] = base(order.fill.quantity);
    data['L'] = price(order.fill.price);
    data['m'] = order.fill.maker;
    data['n'] = formatDecimal(BigInt(order.fill.fee), feeDecimals);
    data['N'] = order.fill.feeSymbol;
  }
  data['z'] = base(order.executedQuantity);
  data['Z'] = quote(order.executedQuoteQuantity);
  data['V'] = order.selfTradePrevention;
  data['T'] = times.engineTime;
  data['O'] = 'USER';
  data['y'] = order.postOnly;
  data['r'] = false;
  return data;
}
