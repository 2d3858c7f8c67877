/**
 * Matching: one incoming order against one market's book, price-time priority, returning what happened as
 * data (fills, the order's status, makers cancelled by self-trade prevention). The book is mutated in place;
 * the caller persists the result and applies balances with settlement.ts.
 *
 * Rules:
 * - Fills execute at the MAKER's price; every fill quantity is a multiple of the market's step, so every
 *   notional (price * quantity / 10^baseDecimals) is exact (guaranteed by the market config check).
 * - postOnly that would cross: rejected, no state change. FOK: checked first without mutation (exactly,
 *   including self-trade prevention); if it cannot fill completely it expires with no fills and no change.
 * - Self-trade (maker and taker share accountId), by the taker's setting: RejectTaker expires the taker's
 *   remainder; RejectMaker cancels that maker and continues; RejectBoth cancels the maker and expires the taker;
 *   Allow trades with it like with anyone else.
 * - Market orders never rest. By quoteQuantity they exchange at most that much quote (both sides), rounding
 *   each fill down to the step. `spendLimit` caps what a market taker gives up (quote on a Bid, base on an
 *   Ask): the service sets it to the amount it locked.
 * - Fees: see fees.ts (each side pays in the asset it receives, rounded up, per fill).
 * Pure: no clock, no randomness, no I/O; ids are the caller's.
 */
import { computeFee } from './fees.ts';
import type { MarketConfig } from '../model/markets.ts';
import {
  addRestingOrder,
  crossesPrice,
  reduceOrderNode,
  removeOrderNode,
  snapshotOrder,
  type BookOrder,
  type OrderBook,
  type PriceLevel,
} from './order-book.ts';
import type { ExpiryReason, OrderSpec, OrderStatus, Side } from '../model/order-types.ts';

export interface IncomingOrder extends OrderSpec {
  readonly id: string;
  readonly accountId: string;
  /** Market orders only: the most the taker may give up (quote on a Bid, base on an Ask). Default: no cap. */
  readonly spendLimit?: bigint | undefined;
  /** Reporting only: kept on the book with a resting remainder. */
  readonly clientId?: number | null;
}

export interface Fill {
  readonly makerOrderId: string;
  readonly makerAccountId: string;
  readonly takerOrderId: string;
  readonly takerAccountId: string;
  readonly takerSide: Side;
  /** The maker's price. */
  readonly price: bigint;
  /** Base units traded. */
  readonly quantity: bigint;
  /** Quote units traded: price * quantity / 10^baseDecimals, exact. */
  readonly quote: bigint;
  /** In the asset the maker receives (base if the maker bought, quote if it sold). */
  readonly makerFee: bigint;
  /** In the asset the taker receives. */
  readonly takerFee: bigint;
  readonly makerRemaining: bigint;
  /** The maker as it rested before this fill (what its fill is reported with, without a read). */
  readonly maker: BookOrder;
}

export interface MatchAccepted {
  readonly ok: true;
  readonly status: OrderStatus;
  readonly expiryReason: ExpiryReason | null;
  readonly fills: Fill[];
  readonly rested: boolean;
  /** The remainder now on the book (GTC limit only), with the createdSeq to persist. */
  readonly resting: BookOrder | null;
  readonly executedQuantity: bigint;
  readonly executedQuoteQuantity: bigint;
  /** Resting orders of the taker's own account removed by RejectMaker / RejectBoth (release their locks). */
  readonly cancelledMakers: BookOrder[];
}

export interface MatchRejected {
  readonly ok: false;
  readonly code: 'INVALID_ORDER';
  readonly message: string;
  readonly expiryReason: 'PostOnlyTaker';
}

export type MatchResult = MatchAccepted | MatchRejected;

type StopReason = 'complete' | 'liquidity' | 'selfTrade' | 'quoteSpent' | 'funds';

/** True when a postOnly order would take liquidity right now (matchOrder() refuses it). Pure, reads the book. */
export function postOnlyWouldTake(
  book: OrderBook,
  order: Pick<IncomingOrder, 'side' | 'price' | 'postOnly'>,
): boolean {
  const opposite = order.side === 'Bid' ? book.asks : book.bids;
  const best = opposite.levels[opposite.levels.length - 1];
  return order.postOnly && best !== undefined && crossesPrice(order.side, order.price as bigint, best.price);
}

export function matchOrder(book: OrderBook, incoming: IncomingOrder, market: MarketConfig): MatchResult {
  assertWellFormed(incoming);
  if (book.orders.has(incoming.id)) throw new Error(`Order ${incoming.id} is already on the book`);
  const { side, price: limitPrice } = incoming;
  const opposite = side === 'Bid' ? book.asks : book.bids;
  if (postOnlyWouldTake(book, incoming)) {
    return {
      ok: false,
      code: 'INVALID_ORDER',
      message: 'Order would immediately match and take',
      expiryReason: 'PostOnlyTaker',
    };
  }
  if (
    incoming.timeInForce === 'FOK' &&
    incoming.orderType === 'Limit' &&
    !canFillCompletely(book, incoming)
  ) {
    return {
      ok: true,
      ...EXPIRED.FillOrKill,
      fills: [],
      rested: false,
      resting: null,
      executedQuantity: 0n,
      executedQuoteQuantity: 0n,
      cancelledMakers: [],
    };
  }

  const fills: Fill[] = [];
  const cancelledMakers: BookOrder[] = [];
  const { baseScale, stepUnits } = market;
  const { makerFeeBps, takerFeeBps } = market;
  let remaining = incoming.quantity ?? null;
  let quoteLeft = incoming.quoteQuantity ?? null;
  let spendLeft = incoming.spendLimit ?? null;
  let executedQuantity = 0n;
  let executedQuote = 0n;
  let stop: StopReason = 'liquidity';
  for (;;) {
    if (remaining === 0n || quoteLeft === 0n) {
      stop = 'complete';
      break;
    }
    const level = opposite.levels[opposite.levels.length - 1];
    if (level === undefined || (limitPrice !== undefined && !crossesPrice(side, limitPrice, level.price)))
      break;
    const maker = level.head as NonNullable<PriceLevel['head']>; // stored levels are never empty
    if (maker.accountId === incoming.accountId && incoming.selfTradePrevention !== 'Allow') {
      const mode = incoming.selfTradePrevention;
      if (mode !== 'RejectTaker') {
        cancelledMakers.push(snapshotOrder(maker));
        removeOrderNode(book, maker);
      }
      if (mode === 'RejectMaker') continue;
      stop = 'selfTrade';
      break;
    }
    let quantity = remaining !== null && remaining < maker.remaining ? remaining : maker.remaining;
    const stepCost = (level.price * stepUnits) / baseScale; // exact: config guarantees tick * step % scale == 0
    if (quoteLeft !== null) quantity = minimum(quantity, (quoteLeft / stepCost) * stepUnits);
    if (quantity === 0n) {
      stop = 'quoteSpent';
      break;
    }
    if (spendLeft !== null) {
      const affordable =
        side === 'Bid' ? (spendLeft / stepCost) * stepUnits : spendLeft - (spendLeft % stepUnits);
      quantity = minimum(quantity, affordable);
      if (quantity === 0n) {
        stop = 'funds';
        break;
      }
    }
    const quote = (level.price * quantity) / baseScale;
    const makerBuys = side === 'Ask';
    const fill: Fill = {
      makerOrderId: maker.id,
      makerAccountId: maker.accountId,
      takerOrderId: incoming.id,
      takerAccountId: incoming.accountId,
      takerSide: side,
      price: level.price,
      quantity,
      quote,
      makerFee: computeFee(makerBuys ? quantity : quote, makerFeeBps),
      takerFee: computeFee(makerBuys ? quote : quantity, takerFeeBps),
      makerRemaining: maker.remaining - quantity,
      maker: snapshotOrder(maker),
    };
    fills.push(fill);
    reduceOrderNode(book, maker, quantity);
    executedQuantity += quantity;
    executedQuote += quote;
    if (remaining !== null) remaining -= quantity;
    if (quoteLeft !== null) quoteLeft -= quote;
    if (spendLeft !== null) spendLeft -= side === 'Bid' ? quote : quantity;
  }

  const outcome = decideOutcome(stop, incoming, executedQuantity > 0n);
  let resting: BookOrder | null = null;
  if (outcome === REST || outcome === REST_PARTIAL) {
    resting = addRestingOrder(book, {
      id: incoming.id,
      accountId: incoming.accountId,
      side,
      price: limitPrice as bigint,
      quantity: incoming.quantity as bigint,
      remaining: remaining as bigint,
      createdSeq: book.sequence,
      selfTradePrevention: incoming.selfTradePrevention,
      clientId: incoming.clientId ?? null,
      postOnly: incoming.postOnly,
    });
  }
  return {
    ok: true,
    status: outcome.status,
    expiryReason: outcome.expiryReason,
    fills,
    rested: resting !== null,
    resting,
    executedQuantity,
    executedQuoteQuantity: executedQuote,
    cancelledMakers,
  };
}

interface Outcome {
  readonly status: OrderStatus;
  readonly expiryReason: ExpiryReason | null;
}

const FILLED: Outcome = { status: 'Filled', expiryReason: null };
const REST: Outcome = { status: 'New', expiryReason: null }; // 'PartiallyFilled' once something executed
const REST_PARTIAL: Outcome = { status: 'PartiallyFilled', expiryReason: null };
const EXPIRED: Readonly<Record<ExpiryReason, Outcome>> = {
  FillOrKill: { status: 'Expired', expiryReason: 'FillOrKill' },
  ImmediateOrCancel: { status: 'Expired', expiryReason: 'ImmediateOrCancel' },
  InsufficientFunds: { status: 'Expired', expiryReason: 'InsufficientFunds' },
  InsufficientLiquidity: { status: 'Expired', expiryReason: 'InsufficientLiquidity' },
  InvalidQuantity: { status: 'Expired', expiryReason: 'InvalidQuantity' },
  PostOnlyTaker: { status: 'Expired', expiryReason: 'PostOnlyTaker' },
  SelfTradePrevention: { status: 'Expired', expiryReason: 'SelfTradePrevention' },
};

/** Why matching stopped -> the taker's final status (REST means: put the remainder on the book). */
function decideOutcome(stop: StopReason, incoming: IncomingOrder, executed: boolean): Outcome {
  if (stop === 'complete' || (stop === 'quoteSpent' && executed)) return FILLED;
  if (stop === 'selfTrade') return EXPIRED.SelfTradePrevention;
  if (stop === 'funds') return EXPIRED.InsufficientFunds;
  if (stop === 'quoteSpent') return EXPIRED.InvalidQuantity;
  if (incoming.orderType === 'Market') return EXPIRED.InsufficientLiquidity;
  if (incoming.timeInForce === 'IOC') return EXPIRED.ImmediateOrCancel;
  if (incoming.timeInForce === 'FOK') return EXPIRED.FillOrKill; // unreachable after the pre-check
  return executed ? REST_PARTIAL : REST;
}

/** Walks the book without changing it: could a limit FOK order fill entirely, given self-trade prevention? */
function canFillCompletely(book: OrderBook, incoming: IncomingOrder): boolean {
  const levels = incoming.side === 'Bid' ? book.asks.levels : book.bids.levels;
  let needed = incoming.quantity as bigint;
  for (let i = levels.length - 1; i >= 0; i -= 1) {
    const level = levels[i] as PriceLevel;
    if (!crossesPrice(incoming.side, incoming.price as bigint, level.price)) return false;
    for (let node = level.head; node !== null; node = node.next) {
      if (node.accountId === incoming.accountId && incoming.selfTradePrevention !== 'Allow') {
        if (incoming.selfTradePrevention === 'RejectMaker') continue; // that maker would be cancelled
        return false; // the taker would expire here
      }
      needed -= node.remaining;
      if (needed <= 0n) return true;
    }
  }
  return false;
}

/** Misuse throws: validateOrder() guarantees these shapes for anything that came from a client. */
function assertWellFormed(order: IncomingOrder): void {
  if (order.orderType === 'Limit') {
    if (!isPositive(order.price) || !isPositive(order.quantity) || order.quoteQuantity !== undefined) {
      throw new Error(`Limit order ${order.id} needs a positive price and quantity and no quoteQuantity`);
    }
    if (order.spendLimit !== undefined) throw new Error(`Limit order ${order.id} must not have a spendLimit`);
    return;
  }
  if (order.price !== undefined || order.postOnly) {
    throw new Error(`Market order ${order.id} must not have a price or postOnly`);
  }
  const byQuantity = order.quantity !== undefined;
  if (
    byQuantity === (order.quoteQuantity !== undefined) ||
    !isPositive(order.quantity ?? order.quoteQuantity)
  ) {
    throw new Error(`Market order ${order.id} needs exactly one positive quantity or quoteQuantity`);
  }
  if (order.spendLimit !== undefined && order.spendLimit < 0n) {
    throw new Error(`Market order ${order.id} has a negative spendLimit`);
  }
}

function isPositive(value: bigint | undefined): boolean {
  return value !== undefined && value > 0n;
}

function minimum(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
