/**
 * Placing and cancelling orders: validation, the funds lock, matching, settlement and persistence, each order in
 * ONE database transaction run as its market's only writer (MarketBooks.write).
 *
 * Steps of an order: validateOrder -> (market orders paying "whatever it costs": read the available balance)
 * -> refuse a postOnly order that would take -> the lock, a guarded update available->locked that changes
 * nothing when the funds are not there (INSUFFICIENT_FUNDS; every refusal so far leaves the book and the
 * database untouched, so the group needs no savepoint for it) -> matchOrder -> one merged set of balance
 * changes for every fill, self-trade-cancelled maker and the taker's leftover lock -> maker updates and the
 * taker order written. Ledger entries (one per balance row and order, the lock netted in), trades, fees and
 * orders that never rested are left to the group commit (GroupWrites). Everything is scoped to the caller's subaccount: a maker or an order to cancel is found through the
 * book and its owner checked, so a key never touches another subaccount's order.
 * Orchestration only: the statements on `orders` live in persistence/order-writes.ts (compiled once), the rules in
 * engine/; order and trade ids come from their counters inside the transaction (in commit order).
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import type { Database } from '../store/schema.ts';
import type { OrderedIds } from './persistence/ordered-ids.ts';
import type { GroupWriter, GroupWrites, NewOrder } from './persistence/group-writes.ts';
import type { BalanceChange } from './model/balance-change.ts';
import { FEE_ACCOUNT_ID, ledgerEntries, type Ledger } from './persistence/ledger.ts';
import { readOrderReference, requireMarket } from './model/client-input.ts';
import type { MarketBooks } from './persistence/market-books.ts';
import { matchOrder, postOnlyWouldTake, type MatchAccepted } from './engine/matching-engine.ts';
import type { ExchangeConfig, MarketConfig } from './model/markets.ts';
import { cancelOrder as removeFromBook, type BookOrder } from './engine/order-book.ts';
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

export type BatchOrderResult =
  | { readonly ok: true; readonly order: OrderRecord }
  | { readonly ok: false; readonly code: string; readonly message: string };

export interface CancelOrderInput {
  readonly symbol: unknown;
  readonly orderId?: unknown;
  readonly clientId?: unknown;
}

export interface OrderServiceDeps {
  readonly db: Kysely<Database>;
  readonly config: ExchangeConfig;
  readonly books: MarketBooks;
  readonly ledger: Ledger;
  /** Writes resting orders' rows at once; everything else waits for the group commit. */
  readonly groupWriter: GroupWriter;
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

  /** Places one order for `subaccountId`; throws AppError with Backpack's code when it is refused. */
  async placeOrder(subaccountId: string, payload: unknown): Promise<OrderRecord> {
    const symbol = isObject(payload) ? payload['symbol'] : undefined;
    const market = requireMarket(this.deps.config, symbol);
    const validation = validateOrder(market, payload);
    if (!validation.ok) throw new AppError(validation.code, validation.message);
    const quoteQuantity = validation.order.quoteQuantity;
    if (quoteQuantity !== undefined && quoteQuantity > maxNotional(market)) {
      throw new AppError('INVALID_QUANTITY', 'quoteQuantity is larger than any order in this market');
    }
    return this.deps.books.write(market.symbol, async ({ trx, book, touch, later }) => {
      const now = this.deps.now();
      const order = validation.order;
      const [orderNumber] = await this.deps.orderIds.take(trx, 1);
      const id = String(orderNumber);
      const lock = computeOrderLock(market, order, {
        available: paysWhateverItCosts(order)
          ? (await this.deps.ledger.readBalance(trx, subaccountId, payingAsset(market, order))).available
          : undefined,
      });
      if (lock.units <= 0n) throw new AppError('INSUFFICIENT_FUNDS', `Insufficient funds: ${lock.asset}`);
      // Every refusal happens before anything changes: a postOnly order that would take is refused on sight,
      // and the lock is a guarded update that changes nothing when the funds are not there.
      if (postOnlyWouldTake(book, order)) {
        throw new AppError('INVALID_ORDER', 'Order would immediately match and take');
      }
      const lockChange: BalanceChange = {
        accountId: subaccountId,
        asset: lock.asset,
        availableDelta: -lock.units,
        lockedDelta: lock.units,
      };
      await this.deps.ledger.updateBalances(trx, [lockChange], now);
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
      if (!result.ok) throw new AppError(result.code, result.message);

      const settlement = mergeBalanceChanges([
        ...result.fills.flatMap((fill) => settleFill(market, fill, { feeAccountId: FEE_ACCOUNT_ID })),
        ...result.cancelledMakers.flatMap((maker) => settleCancel(market, maker)),
        ...settleTakerRemainder(market, { accountId: subaccountId, side: order.side }, lock, result),
      ]);
      await this.applyChanges(trx, later, settlement, {
        reason: 'order',
        reference: `order:${id}`,
        now,
        alreadyApplied: lockChange,
      });
      const row = await this.recordMatch(trx, later, { market, order, id, subaccountId, result, now });
      const { remaining: _remaining, createdSeq: _createdSeq, ...record } = row;
      return { ...record, id };
    });
  }

  /** Places each order in turn (each in its own transaction); a refused one does not stop the others. */
  async placeOrders(subaccountId: string, payloads: readonly unknown[]): Promise<BatchOrderResult[]> {
    if (payloads.length > MAX_BATCH_ORDERS) {
      throw new AppError('INVALID_CLIENT_REQUEST', `At most ${MAX_BATCH_ORDERS} orders per batch`);
    }
    const results: BatchOrderResult[] = [];
    for (const payload of payloads) {
      try {
        results.push({ ok: true, order: await this.placeOrder(subaccountId, payload) });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        results.push({ ok: false, code: error.code, message: error.message });
      }
    }
    return results;
  }

  /** Cancels one resting order of `subaccountId` by orderId or clientId; RESOURCE_NOT_FOUND otherwise. */
  async cancelOrder(subaccountId: string, input: CancelOrderInput): Promise<OrderRecord> {
    const market = requireMarket(this.deps.config, input.symbol);
    const which = readOrderReference(input);
    return this.deps.books.write(market.symbol, async ({ trx, book, touch, later }) => {
      const now = this.deps.now();
      let id = which.orderId === undefined ? undefined : String(which.orderId);
      if (which.clientId !== undefined) {
        id = await this.writes.findOpenByClientId(trx, {
          account: subaccountId,
          symbol: market.symbol,
          clientId: which.clientId,
        });
      }
      const resting = id === undefined ? undefined : book.orders.get(id);
      if (resting === undefined || resting.accountId !== subaccountId) {
        throw new AppError('RESOURCE_NOT_FOUND', 'Order not found');
      }
      touch();
      const removed = removeFromBook(book, resting.id) as BookOrder;
      await this.applyChanges(trx, later, settleCancel(market, removed), {
        reason: 'cancel',
        reference: `cancel:${removed.id}`,
        now,
      });
      return toOrderRecord(await this.writes.cancel(trx, Number(removed.id), now));
    });
  }

  /** Cancels every resting order of `subaccountId` in one market; returns them (possibly none). */
  async cancelAllOrders(subaccountId: string, symbol: unknown): Promise<OrderRecord[]> {
    const market = requireMarket(this.deps.config, symbol);
    return this.deps.books.write(market.symbol, async ({ trx, book, touch, sequence, later }) => {
      const mine = [...book.orders.values()].filter((order) => order.accountId === subaccountId);
      if (mine.length === 0) return [];
      const now = this.deps.now();
      touch();
      const changes = mergeBalanceChanges(
        mine.map((order) => settleCancel(market, removeFromBook(book, order.id) as BookOrder)).flat(),
      );
      await this.applyChanges(trx, later, changes, {
        reason: 'cancel',
        reference: `cancel:${market.symbol}:${sequence}`,
        now,
      });
      const rows = await this.writes.cancelAll(trx, subaccountId, market.symbol, now);
      if (rows.length !== mine.length)
        throw new Error(`Book of ${market.symbol} disagrees with the database`);
      return rows.map(toOrderRecord).sort((a, b) => Number(a.id) - Number(b.id));
    });
  }

  /**
   * Applies balance changes now (the next write in the group must see them) and leaves their ledger entries and
   * the fee account's credits to the group commit. `alreadyApplied` (an order's lock) is not applied again but
   * is netted into the entries: one entry per balance row and order.
   */
  private async applyChanges(
    trx: Kysely<Database>,
    later: GroupWrites,
    changes: readonly BalanceChange[],
    entry: { reason: 'order' | 'cancel'; reference: string; now: number; alreadyApplied?: BalanceChange },
  ): Promise<void> {
    const balances: BalanceChange[] = [];
    for (const change of changes) {
      if (change.accountId !== FEE_ACCOUNT_ID) balances.push(change);
      else if (change.lockedDelta !== 0n) throw new Error('The fee account never locks funds');
      else later.addFee(change.asset, change.availableDelta, entry.now);
    }
    await this.deps.ledger.updateBalances(trx, balances, entry.now);
    const applied =
      entry.alreadyApplied === undefined
        ? balances
        : mergeBalanceChanges([entry.alreadyApplied, ...balances]);
    later.entries.push(...ledgerEntries(applied, entry));
  }

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
    const makerClientIds: (number | null)[] = [];
    for (const fill of result.fills) {
      makerClientIds.push(
        await this.writes.fillMaker(trx, {
          id: Number(fill.makerOrderId),
          quantity: fill.quantity,
          quote: fill.quote,
          remaining: fill.makerRemaining,
          now,
        }),
      );
    }
    for (const maker of result.cancelledMakers) {
      await this.writes.cancel(trx, Number(maker.id), now);
      later.cancelledMakers.push({ order: maker, takerOrderId: id });
    }
    if (result.fills.length > 0) {
      const tradeIds = await this.deps.tradeIds.take(trx, result.fills.length);
      result.fills.forEach((fill, i) => {
        later.trades.push({
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
          makerClientId: makerClientIds[i] ?? null,
          takerClientId: order.clientId,
          makerFee: fill.makerFee,
          takerFee: fill.takerFee,
          createdAt: now,
        });
      });
    }
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
    // A resting order's row must exist now (a later write in the group may fill or cancel it); one that left
    // the book is never touched again and waits for the group's multi-row insert.
    if (resting === null) later.orders.push(row);
    else await this.deps.groupWriter.insertOrders(trx, [row]);
    return row;
  }
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
