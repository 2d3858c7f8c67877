/**
 * Balance effects of orders, as data: how much to lock when an order is placed, and the per-account deltas
 * for each fill, each cancelled resting order and the taker's leftover lock after matching. The service
 * applies them inside one database transaction (guarded updates: available >= amount).
 *
 * Invariants: every function here moves value between (available, locked) of accounts and the fee account;
 * the sum per asset over all accounts never changes. A resting order's lock is exactly
 * computeRestingLock(order): price * remaining / 10^baseDecimals quote for a Bid (exact by the market config
 * check), remaining base for an Ask.
 *
 * Lock rules at placement (computeOrderLock):
 * - Limit Bid: price * quantity (rounded up; exact in practice). Limit Ask: quantity base.
 * - Market Bid by quoteQuantity: quoteQuantity. Market Ask by quantity: quantity.
 * - Market Bid by quantity / Market Ask by quoteQuantity: the cost is unknown before matching, so the service
 *   locks the whole `available` balance of the paying asset, passes it as `spendLimit` to matchOrder(), and
 *   settleTakerRemainder() releases what was not used.
 */
import { mulDiv } from '../model/decimal.ts';
import type { BalanceChange } from '../model/balance-change.ts';
import type { MarketConfig } from '../model/markets.ts';
import type { BookOrder } from './order-book.ts';
import type { Fill, MatchAccepted } from './matching-engine.ts';
import type { OrderSpec, Side } from '../model/order-types.ts';

export interface OrderLock {
  readonly asset: string;
  readonly units: bigint;
}

/** What to move from available to locked when the order is placed. */
export function computeOrderLock(
  market: MarketConfig,
  order: Pick<OrderSpec, 'side' | 'orderType' | 'price' | 'quantity' | 'quoteQuantity'>,
  options: { available?: bigint } = {},
): OrderLock {
  const asset = payingAsset(market, order.side);
  if (order.orderType === 'Limit') {
    const { price, quantity } = required(order.price, order.quantity);
    const units = order.side === 'Bid' ? mulDiv(price, quantity, market.baseScale, 'ceil') : quantity;
    return { asset, units };
  }
  const byQuantity = order.quantity !== undefined;
  if (order.side === 'Bid' && !byQuantity) return { asset, units: order.quoteQuantity as bigint };
  if (order.side === 'Ask' && byQuantity) return { asset, units: order.quantity as bigint };
  if (options.available === undefined || options.available < 0n) {
    throw new Error('computeOrderLock needs the available balance for this market order');
  }
  return { asset, units: options.available };
}

/** The lock a resting order holds right now. */
export function computeRestingLock(
  market: MarketConfig,
  order: Pick<BookOrder, 'side' | 'price' | 'remaining'>,
): OrderLock {
  const units =
    order.side === 'Bid' ? mulDiv(order.price, order.remaining, market.baseScale, 'ceil') : order.remaining;
  return { asset: payingAsset(market, order.side), units };
}

/**
 * Deltas for one fill. Each side gives up what it paid from its lock and receives the other asset minus its
 * fee; the fee account receives both fees.
 */
export function settleFill(
  market: MarketConfig,
  fill: Fill,
  options: { feeAccountId: string },
): BalanceChange[] {
  const { baseSymbol: base, quoteSymbol: quote } = market;
  const takerBuys = fill.takerSide === 'Bid';
  const buyer = takerBuys ? fill.takerAccountId : fill.makerAccountId;
  const seller = takerBuys ? fill.makerAccountId : fill.takerAccountId;
  const buyerFee = takerBuys ? fill.takerFee : fill.makerFee;
  const sellerFee = takerBuys ? fill.makerFee : fill.takerFee;
  const deltas: BalanceChange[] = [
    { accountId: buyer, asset: quote, availableDelta: 0n, lockedDelta: -fill.quote },
    { accountId: buyer, asset: base, availableDelta: fill.quantity - buyerFee, lockedDelta: 0n },
    { accountId: seller, asset: base, availableDelta: 0n, lockedDelta: -fill.quantity },
    { accountId: seller, asset: quote, availableDelta: fill.quote - sellerFee, lockedDelta: 0n },
  ];
  if (buyerFee > 0n) deltas.push(credit(options.feeAccountId, base, buyerFee));
  if (sellerFee > 0n) deltas.push(credit(options.feeAccountId, quote, sellerFee));
  return deltas;
}

/** Releases the whole lock of a resting order that left the book unfilled (user cancel, self-trade prevention). */
export function settleCancel(market: MarketConfig, order: BookOrder): BalanceChange[] {
  return release(order.accountId, computeRestingLock(market, order));
}

/**
 * After matchOrder(): releases the part of the taker's placement lock that neither paid for fills nor backs
 * the resting remainder (unfilled IOC/FOK/market remainders, price improvement on a limit Bid, unused
 * budget of a market order). Empty when nothing is left over.
 */
export function settleTakerRemainder(
  market: MarketConfig,
  order: { readonly accountId: string; readonly side: Side },
  lock: OrderLock,
  result: MatchAccepted,
): BalanceChange[] {
  const spent = order.side === 'Bid' ? result.executedQuoteQuantity : result.executedQuantity;
  const stillLocked = result.resting === null ? 0n : computeRestingLock(market, result.resting).units;
  const leftover = lock.units - spent - stillLocked;
  if (leftover < 0n) throw new Error(`Order lock of ${order.accountId} was too small by ${-leftover}`);
  return leftover === 0n ? [] : release(order.accountId, { asset: lock.asset, units: leftover });
}

/** Sums deltas per (account, asset), dropping zero results: one guarded update per balance row. */
export function mergeBalanceChanges(deltas: readonly BalanceChange[]): BalanceChange[] {
  const merged = new Map<string, BalanceChange>();
  for (const delta of deltas) {
    const key = `${delta.accountId}\u0000${delta.asset}`;
    const previous = merged.get(key);
    merged.set(
      key,
      previous === undefined
        ? delta
        : {
            ...previous,
            availableDelta: previous.availableDelta + delta.availableDelta,
            lockedDelta: previous.lockedDelta + delta.lockedDelta,
          },
    );
  }
  return [...merged.values()].filter((delta) => delta.availableDelta !== 0n || delta.lockedDelta !== 0n);
}

function payingAsset(market: MarketConfig, side: Side): string {
  return side === 'Bid' ? market.quoteSymbol : market.baseSymbol;
}

function release(accountId: string, lock: OrderLock): BalanceChange[] {
  if (lock.units === 0n) return [];
  return [{ accountId, asset: lock.asset, availableDelta: lock.units, lockedDelta: -lock.units }];
}

function credit(accountId: string, asset: string, units: bigint): BalanceChange {
  return { accountId, asset, availableDelta: units, lockedDelta: 0n };
}

function required(
  price: bigint | undefined,
  quantity: bigint | undefined,
): { price: bigint; quantity: bigint } {
  if (price === undefined || quantity === undefined)
    throw new Error('A limit order needs a price and a quantity');
  return { price, quantity };
}
