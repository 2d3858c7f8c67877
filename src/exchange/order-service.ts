/**
 * Placing and cancelling orders: validation, the funds check, matching, settlement and what to write, each order
 * in ONE database transaction run as its market's only writer (MarketBooks.write), shared with the other orders
 * of its group commit.
 *
 * Steps of an order: validateOrder -> the lock (what the order pays with: its whole available balance for a
 * market order paying "whatever it costs"), checked against the group's balances in memory (GroupBalances,
 * read once per group and locked) -> refuse a postOnly order that would take -> matchOrder -> one merged set of
 * balance changes for the lock, every fill, self-trade-cancelled maker and the taker's leftover lock. Every
 * refusal happens before anything changed and is a value (OrderOutcome), never an exception: the route turns it
 * into Backpack's error once. Nothing is written here: the order's row, the makers' fills, balances, ledger
 * entries (one per balance row and order), trades and fees go to the group (GroupWrites), written in a few
 * multi-row statements before the commit; with them go the order's changes for the event pipeline, recorded as
 * they happen (accepted, each fill with the state after it, cancelled, expired). Everything is scoped to the
 * caller's subaccount: a maker or an order to cancel is found through the book and its owner checked, so a key
 * never touches another subaccount's order. Order and trade ids come from their counters inside the transaction, so
 * they follow commit order (persistence/ordered-ids.ts).
 */
import type { Kysely } from 'kysely';

import { AppError, type ErrorCode } from '../errors.ts';
import type { Database } from '../store/schema.ts';
import type { OrderedIds } from './persistence/ordered-ids.ts';
import type { GroupWrites, NewOrder } from './persistence/group-writes.ts';
import type { OrderState } from './persistence/commit-observer.ts';
import type { BalanceChange } from './model/balance-change.ts';
import { FEE_ACCOUNT_ID, ledgerEntries } from './persistence/ledger.ts';
import { readOrderReference, requireMarket } from './model/client-input.ts';
import type { BookWriteContext, MarketBooks } from './persistence/market-books.ts';
import { matchOrder, postOnlyWouldTake, type Fill, type MatchAccepted } from './engine/matching-engine.ts';
import type { ExchangeConfig, MarketConfig } from './model/markets.ts';
import { cancelOrder as removeFromBook, type BookOrder, type OrderBook } from './engine/order-book.ts';
import { toOrderRecord, type OrderRecord } from './persistence/order-records.ts';
import { OrderWrites } from './persistence/order-writes.ts';
import {
  computeOrderLock,
  mergeBalanceChanges,
  settleCancel,
  settleFill,
  settleTakerRemainder,
} from './engine/settlement.ts';
import { validateOrder, type ValidOrder } from './engine/validate-order.ts';

/** What placing an order came to: the order, or Backpack's refusal (never thrown inside the exchange). */
export type OrderOutcome =
  | { readonly ok: true; readonly order: OrderRecord }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** One item of a batch: the same outcome. */
export type BatchOrderResult = OrderOutcome;

/** The order of an outcome, or its refusal thrown as Backpack's error (the one throw, at the edge). */
export function orderOrThrow(outcome: OrderOutcome): OrderRecord {
  if (outcome.ok) return outcome.order;
  throw new AppError(outcome.code, outcome.message);
}

function refused(code: ErrorCode, message: string): OrderOutcome {
  return { ok: false, code, message };
}

export interface CancelOrderInput {
  readonly symbol: unknown;
  readonly orderId?: unknown;
  readonly clientId?: unknown;
}

export interface OrderServiceDeps {
  readonly db: Kysely<Database>;
  readonly config: ExchangeConfig;
  readonly books: MarketBooks;
  /** Taken inside the write transaction, so ids follow commit order (persistence/ordered-ids.ts). */
  readonly orderIds: OrderedIds;
  readonly tradeIds: OrderedIds;
  readonly now: () => number;
}

export const MAX_BATCH_ORDERS = 50;

export class OrderService {
  private readonly writes: OrderWrites;

  constructor(private readonly deps: OrderServiceDeps) {
    this.writes = new OrderWrites(deps.db);
  }

  /** Places one order for `subaccountId`; a refusal is a value with Backpack's code (see orderOrThrow). */
  async placeOrder(subaccountId: string, payload: unknown): Promise<OrderOutcome> {
    const symbol = isObject(payload) ? payload['symbol'] : undefined;
    const market = typeof symbol === 'string' ? this.deps.config.marketsBySymbol.get(symbol) : undefined;
    if (market === undefined) return refused('INVALID_CLIENT_REQUEST', 'Invalid market symbol');
    const validation = validateOrder(market, payload);
    if (!validation.ok) return refused(validation.code, validation.message);
    const order = validation.order;
    if (order.quoteQuantity !== undefined && order.quoteQuantity > maxNotional(market)) {
      return refused('INVALID_QUANTITY', 'quoteQuantity is larger than any order in this market');
    }
    const paying = { account: subaccountId, asset: payingAsset(market, order) };
    return this.deps.books.write(
      market.symbol,
      (context) => this.placeInBook(context, { market, order, subaccountId }),
      { balances: [paying] },
    );
  }

  /** Places each order in turn (each in its own transaction); a refused one does not stop the others. */
  async placeOrders(subaccountId: string, payloads: readonly unknown[]): Promise<BatchOrderResult[]> {
    if (payloads.length > MAX_BATCH_ORDERS) {
      throw new AppError('INVALID_CLIENT_REQUEST', `At most ${MAX_BATCH_ORDERS} orders per batch`);
    }
    const results: BatchOrderResult[] = [];
    for (const payload of payloads) results.push(await this.placeOrder(subaccountId, payload));
    return results;
  }

  /** Cancels one resting order of `subaccountId` by orderId or clientId; RESOURCE_NOT_FOUND otherwise. */
  async cancelOrder(subaccountId: string, input: CancelOrderInput): Promise<OrderRecord> {
    const market = requireMarket(this.deps.config, input.symbol);
    const which = readOrderReference(input);
    return this.deps.books.write(market.symbol, async (context) => {
      const { trx, book, touch, later } = context;
      const now = this.deps.now();
      const resting =
        which.clientId !== undefined
          ? findByClientId(book, subaccountId, which.clientId)
          : book.orders.get(String(which.orderId));
      if (resting === undefined || resting.accountId !== subaccountId) {
        throw new AppError('RESOURCE_NOT_FOUND', 'Order not found');
      }
      touch();
      const removed = removeFromBook(book, resting.id) as BookOrder;
      this.recordBalanceChanges(later, settleCancel(market, removed), {
        reason: 'cancel',
        reference: `cancel:${removed.id}`,
        now,
      });
      // The row is updated now (its answer is the row): the group's pending order rows go first.
      await context.writePendingOrders();
      const record = toOrderRecord(await this.writes.cancel(trx, Number(removed.id), now));
      later.orderChanges.push({ kind: 'cancelled', order: record });
      return record;
    });
  }

  /** Cancels every resting order of `subaccountId` in one market; returns them (possibly none). */
  async cancelAllOrders(subaccountId: string, symbol: unknown): Promise<OrderRecord[]> {
    const market = requireMarket(this.deps.config, symbol);
    return this.deps.books.write(market.symbol, async (context) => {
      const { trx, book, touch, sequence, later } = context;
      const mine = [...book.orders.values()].filter((order) => order.accountId === subaccountId);
      if (mine.length === 0) return [];
      const now = this.deps.now();
      touch();
      const changes = mergeBalanceChanges(
        mine.map((order) => settleCancel(market, removeFromBook(book, order.id) as BookOrder)).flat(),
      );
      this.recordBalanceChanges(later, changes, {
        reason: 'cancel',
        reference: `cancel:${market.symbol}:${sequence}`,
        now,
      });
      await context.writePendingOrders();
      const rows = await this.writes.cancelAll(trx, subaccountId, market.symbol, now);
      if (rows.length !== mine.length)
        throw new Error(`Book of ${market.symbol} disagrees with the database`);
      const records = rows.map(toOrderRecord).sort((a, b) => Number(a.id) - Number(b.id));
      for (const record of records) later.orderChanges.push({ kind: 'cancelled', order: record });
      return records;
    });
  }

  /** One order inside its group: check, match, and record what to write and what happened. */
  private async placeInBook(
    context: BookWriteContext,
    input: { market: MarketConfig; order: ValidOrder; subaccountId: string },
  ): Promise<OrderOutcome> {
    const { trx, book, touch, later } = context;
    const { market, order, subaccountId } = input;
    const now = this.deps.now();
    const [orderNumber] = await this.deps.orderIds.take(trx, 1);
    const id = String(orderNumber);
    const asset = payingAsset(market, order);
    const available = await context.available(subaccountId, asset);
    const lock = computeOrderLock(market, order, {
      available: paysWhateverItCosts(order) ? available : undefined,
    });
    if (lock.units <= 0n || lock.units > available) {
      return refused('INSUFFICIENT_FUNDS', `Insufficient funds: ${lock.asset}`);
    }
    if (postOnlyWouldTake(book, order))
      return refused('INVALID_ORDER', 'Order would immediately match and take');
    touch();

    const result = matchOrder(
      book,
      {
        ...order,
        id,
        accountId: subaccountId,
        spendLimit: order.orderType === 'Market' ? lock.units : undefined,
      },
      market,
    );
    if (!result.ok) throw new AppError(result.code, result.message); // postOnly was refused above
    const lockChange: BalanceChange = {
      accountId: subaccountId,
      asset: lock.asset,
      availableDelta: -lock.units,
      lockedDelta: lock.units,
    };
    const settlement = mergeBalanceChanges([
      lockChange,
      ...result.fills.flatMap((fill) => settleFill(market, fill, { feeAccountId: FEE_ACCOUNT_ID })),
      ...result.cancelledMakers.flatMap((maker) => settleCancel(market, maker)),
      ...settleTakerRemainder(market, { accountId: subaccountId, side: order.side }, lock, result),
    ]);
    this.recordBalanceChanges(later, settlement, { reason: 'order', reference: `order:${id}`, now });
    const row = await this.recordMatch(trx, later, { market, order, id, subaccountId, result, now });
    const { remaining: _remaining, createdSeq: _createdSeq, ...record } = row;
    return { ok: true, order: { ...record, id } };
  }

  /**
   * Leaves balance changes to the group (the next write in it sees them through its balances) with their ledger
   * entries, one per balance row and order; the fee account's credits are summed per asset for the group.
   */
  private recordBalanceChanges(
    later: GroupWrites,
    changes: readonly BalanceChange[],
    entry: { reason: 'order' | 'cancel'; reference: string; now: number },
  ): void {
    const balances: BalanceChange[] = [];
    for (const change of changes) {
      if (change.accountId !== FEE_ACCOUNT_ID) balances.push(change);
      else if (change.lockedDelta !== 0n) throw new Error('The fee account never locks funds');
      else later.addFee(change.asset, change.availableDelta, entry.now);
    }
    for (const change of balances) later.addBalanceChange(change);
    later.entries.push(...ledgerEntries(balances, entry));
  }

  /**
   * The order's row, its makers' fills and cancels, its trades, and its changes as they happened: accepted, then
   * per fill the maker's and the taker's state after it, then expired, then makers cancelled by self-trade
   * prevention.
   */
  private async recordMatch(
    trx: Kysely<Database>,
    later: GroupWrites,
    input: {
      market: MarketConfig;
      order: ValidOrder;
      id: string;
      subaccountId: string;
      result: MatchAccepted;
      now: number;
    },
  ): Promise<NewOrder> {
    const { market, order, id, subaccountId, result, now } = input;
    const resting = result.resting;
    const row: NewOrder = {
      id: Number(id),
      subaccountId,
      symbol: market.symbol,
      side: order.side,
      orderType: order.orderType,
      timeInForce: order.timeInForce,
      postOnly: order.postOnly,
      selfTradePrevention: order.selfTradePrevention,
      clientId: order.clientId,
      price: order.price ?? null,
      quantity: order.quantity ?? null,
      quoteQuantity: order.quoteQuantity ?? null,
      executedQuantity: result.executedQuantity,
      executedQuoteQuantity: result.executedQuoteQuantity,
      remaining: resting === null ? 0n : resting.remaining,
      status: result.status,
      expiryReason: result.expiryReason,
      createdSeq: resting === null ? null : resting.createdSeq,
      createdAt: now,
    };
    later.orders.push(row);
    const taker = takerState(row);
    later.orderChanges.push({
      kind: 'accepted',
      order: { ...taker, status: 'New', expiryReason: null, executedQuantity: 0n, executedQuoteQuantity: 0n },
    });
    const tradeIds = result.fills.length > 0 ? await this.deps.tradeIds.take(trx, result.fills.length) : [];
    let executed = 0n;
    let executedQuote = 0n;
    result.fills.forEach((fill, i) => {
      const trade = {
        id: tradeIds[i] as number,
        symbol: market.symbol,
        price: fill.price,
        quantity: fill.quantity,
        quote: fill.quote,
        takerSide: fill.takerSide,
        makerOrderId: Number(fill.makerOrderId),
        takerOrderId: Number(fill.takerOrderId),
        makerAccountId: fill.makerAccountId,
        takerAccountId: fill.takerAccountId,
        makerClientId: fill.maker.clientId ?? null,
        takerClientId: order.clientId,
        makerFee: fill.makerFee,
        takerFee: fill.takerFee,
        createdAt: now,
      };
      later.trades.push(trade);
      const maker = makerAfterFill(market, fill);
      later.updateOrder({
        id: trade.makerOrderId,
        quantity: fill.quantity,
        quote: fill.quote,
        remaining: fill.makerRemaining,
        status: maker.status,
        now,
      });
      later.orderChanges.push({ kind: 'fill', order: maker, trade, maker: true });
      executed += fill.quantity;
      executedQuote += fill.quote;
      const last = i === result.fills.length - 1;
      later.orderChanges.push({
        kind: 'fill',
        order: {
          ...taker,
          status: last && row.status === 'Filled' ? 'Filled' : 'PartiallyFilled',
          expiryReason: null,
          executedQuantity: executed,
          executedQuoteQuantity: executedQuote,
        },
        trade,
        maker: false,
      });
    });
    if (row.status === 'Expired') later.orderChanges.push({ kind: 'expired', order: taker });
    for (const maker of result.cancelledMakers) {
      later.updateOrder({
        id: Number(maker.id),
        quantity: 0n,
        quote: 0n,
        remaining: 0n,
        status: 'Cancelled',
        now,
      });
      later.orderChanges.push({
        kind: 'cancelled',
        order: { ...restingState(market, maker), status: 'Cancelled' },
      });
    }
    return row;
  }
}

/** The taker's state as its row has it. */
function takerState(row: NewOrder): OrderState {
  const { remaining: _remaining, createdSeq: _createdSeq, createdAt: _createdAt, ...state } = row;
  return { ...state, id: String(row.id) };
}

/**
 * A resting order's state from the book: it is a Limit GTC order (nothing else rests), and its executed quote is
 * exact from its price (every fill is at the maker's own price and exact, see matching-engine.ts).
 */
function restingState(market: MarketConfig, order: BookOrder): OrderState {
  const executed = order.quantity - order.remaining;
  return {
    id: order.id,
    subaccountId: order.accountId,
    symbol: market.symbol,
    side: order.side,
    orderType: 'Limit',
    timeInForce: 'GTC',
    postOnly: order.postOnly ?? false,
    selfTradePrevention: order.selfTradePrevention,
    clientId: order.clientId ?? null,
    price: order.price,
    quantity: order.quantity,
    quoteQuantity: null,
    executedQuantity: executed,
    executedQuoteQuantity: (order.price * executed) / market.baseScale,
    status: executed === 0n ? 'New' : 'PartiallyFilled',
    expiryReason: null,
  };
}

/** The maker right after `fill`. */
function makerAfterFill(market: MarketConfig, fill: Fill): OrderState {
  const state = restingState(market, { ...fill.maker, remaining: fill.makerRemaining });
  return { ...state, status: fill.makerRemaining === 0n ? 'Filled' : 'PartiallyFilled' };
}

/** The newest resting order of `account` with this client id (what Backpack cancels by clientId). */
function findByClientId(book: OrderBook, account: string, clientId: number): BookOrder | undefined {
  let found: BookOrder | undefined;
  for (const order of book.orders.values()) {
    if (order.accountId !== account || order.clientId !== clientId) continue;
    if (found === undefined || Number(order.id) > Number(found.id)) found = order;
  }
  return found;
}

/** Market buy by quantity / market sell by quoteQuantity: the cost is known only after matching. */
function paysWhateverItCosts(order: ValidOrder): boolean {
  if (order.orderType !== 'Market') return false;
  return order.side === 'Bid' ? order.quantity !== undefined : order.quoteQuantity !== undefined;
}

/** The largest possible notional in `market` (maximum price * maximum quantity): bounds quoteQuantity. */
function maxNotional(market: MarketConfig): bigint {
  return (market.maxPriceUnits * market.maxQuantityUnits) / market.baseScale;
}

function payingAsset(market: MarketConfig, order: ValidOrder): string {
  return order.side === 'Bid' ? market.quoteSymbol : market.baseSymbol;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
