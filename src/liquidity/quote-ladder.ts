/**
 * What the built-in market makers want on the book, and the fewest changes that get it there. Pure.
 *
 * Levels sit on a fixed grid (multiples of the level step), so when the middle moves by a tick most resting
 * orders stay where they are: a step of the walk usually costs a cancel and a new order at each end, not a new
 * ladder. Every price is a multiple of the tick within the market's bounds, every quantity a multiple of the step
 * within its bounds: the orders pass the same validation as anyone's because they are valid, not because they
 * skip it.
 */
import type { MarketConfig, MarketLiquidity, Side } from '../exchange/index.ts';

export interface Quote {
  readonly side: Side;
  readonly price: bigint;
  readonly quantity: bigint;
}

export interface RestingQuote {
  readonly id: string;
  readonly side: Side;
  readonly price: bigint;
  readonly remaining: bigint;
}

export interface QuoteChanges {
  readonly cancel: readonly RestingQuote[];
  readonly place: readonly Quote[];
}

/** The distance between levels: `levelStepBps` of `mid`, at least one tick, a multiple of the tick. */
export function levelStep(market: MarketConfig, liquidity: MarketLiquidity, mid: bigint): bigint {
  const raw = (mid * BigInt(liquidity.levelStepBps)) / 10_000n;
  const ticks = raw / market.tickUnits;
  return (ticks < 1n ? 1n : ticks) * market.tickUnits;
}

/** `units` rounded to the nearest multiple of `step` (at least one step). */
export function roundTo(units: bigint, step: bigint): bigint {
  const rounded = ((units + step / 2n) / step) * step;
  return rounded < step ? step : rounded;
}

/**
 * The ladder around `mid`: `levels` bids below and asks above, best bid and best ask `spreadBps` apart (at least a
 * tick each side of the middle). Deeper levels are larger (the best one is levelSize, each next a quarter more);
 * `random` (in [0, 1)) varies each size by up to a fifth, so the book does not look printed.
 */
export function quoteLadder(
  market: MarketConfig,
  liquidity: MarketLiquidity,
  input: { mid: bigint; step: bigint; random: () => number },
): Quote[] {
  const { mid, step } = input;
  let half = (mid * BigInt(liquidity.spreadBps)) / 20_000n;
  if (half < market.tickUnits) half = market.tickUnits;
  const bestBid = floorTo(mid - half, step);
  const bestAsk = ceilTo(mid + half, step);
  const quotes: Quote[] = [];
  for (let i = 0; i < liquidity.levels; i++) {
    const depth = BigInt(i) * step;
    const size = (): bigint => levelSize(market, liquidity, i, input.random);
    const bid = bestBid - depth;
    const ask = bestAsk + depth;
    if (bid >= market.minPriceUnits) quotes.push({ side: 'Bid', price: bid, quantity: size() });
    if (ask <= market.maxPriceUnits) quotes.push({ side: 'Ask', price: ask, quantity: size() });
  }
  return quotes;
}

function levelSize(
  market: MarketConfig,
  liquidity: MarketLiquidity,
  level: number,
  random: () => number,
): bigint {
  const permille = BigInt(Math.round((1 + level / 4) * (0.8 + 0.4 * random()) * 1000));
  const units = ((liquidity.levelSizeUnits * permille) / 1000n / market.stepUnits) * market.stepUnits;
  if (units < market.minQuantityUnits) return market.minQuantityUnits;
  return units > market.maxQuantityUnits ? market.maxQuantityUnits : units;
}

function floorTo(units: bigint, step: bigint): bigint {
  return units <= 0n ? 0n : (units / step) * step;
}

function ceilTo(units: bigint, step: bigint): bigint {
  return ((units + step - 1n) / step) * step;
}

/**
 * The changes from `resting` (the makers' open orders) to `wanted`: an order stays when the ladder still has a
 * level at its side and price and it holds at least a quarter of that level (one order per level); everything
 * else is cancelled, and every level left without an order gets a new one.
 */
export function reconcileQuotes(wanted: readonly Quote[], resting: readonly RestingQuote[]): QuoteChanges {
  const levels = new Map(wanted.map((quote) => [`${quote.side}:${quote.price}`, quote]));
  const kept = new Set<string>();
  const cancel: RestingQuote[] = [];
  for (const order of resting) {
    const key = `${order.side}:${order.price}`;
    const level = levels.get(key);
    if (level === undefined || kept.has(key) || order.remaining * 4n < level.quantity) cancel.push(order);
    else kept.add(key);
  }
  // Best levels first: a new best bid or ask shows before the deep levels are refilled.
  const place = wanted.filter((quote) => !kept.has(`${quote.side}:${quote.price}`));
  return { cancel, place };
}
