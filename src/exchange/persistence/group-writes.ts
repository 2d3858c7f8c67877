/**
 * Rows that orders and cancels leave for the end of their group commit (MarketBooks): ledger entries, trades,
 * the fee account's credits and orders that never rested (filled or expired takers). Nothing inside a group reads
 * them (balances, books and resting orders' rows are what the next write looks at: a later write may fill or
 * cancel a resting order, never one that left the book), so the group writes them together in a few multi-row
 * statements right before it commits, in the same transaction: still all or nothing, just fewer statements.
 *
 * Each write gets its own GroupWrites and hands it to the group only when it succeeded; a write that fails is
 * rolled back to its savepoint and its rows are never written. Fees are summed per asset: one balance update
 * and one 'fee' ledger entry per asset and group, instead of two of each per fill on the hottest row there is.
 */
import type { Kysely } from 'kysely';

import { RowsInsert } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import type { BalanceChange } from '../model/balance-change.ts';
import { FEE_ACCOUNT_ID, ledgerEntries, type Ledger, type LedgerEntry } from './ledger.ts';
import type { BookOrder } from '../engine/order-book.ts';
import type { OrderRecord } from './order-records.ts';
import type { Side } from '../model/order-types.ts';

/** One row of `trades`, with exact amounts. */
export interface TradeRow {
  readonly id: number;
  readonly symbol: string;
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quote: bigint;
  readonly takerSide: Side;
  readonly makerOrderId: number;
  readonly takerOrderId: number;
  readonly makerAccountId: string;
  readonly takerAccountId: string;
  readonly makerClientId: number | null;
  readonly takerClientId: number | null;
  readonly makerFee: bigint;
  readonly takerFee: bigint;
  readonly createdAt: number;
}

/** A new row of `orders`: the order as reported, plus what the book needs to rebuild it. */
export interface NewOrder extends Omit<OrderRecord, 'id'> {
  readonly id: number;
  /** What rests on the book (0 for an order that never rested). */
  readonly remaining: bigint;
  /** Time priority on the book; null for an order that never rested. */
  readonly createdSeq: number | null;
}

export class GroupWrites {
  readonly entries: LedgerEntry[] = [];
  readonly trades: TradeRow[] = [];
  /** Orders that never rested. */
  readonly orders: NewOrder[] = [];
  /** Trading fees per asset, for the fee account. */
  readonly fees = new Map<string, bigint>();
  /** The latest time of the fees (their entries' time). */
  feesAt = 0;
  /** Resting orders cancelled by a taker's self-trade prevention (reported, not written here). */
  readonly cancelledMakers: { readonly order: BookOrder; readonly takerOrderId: string }[] = [];

  get isEmpty(): boolean {
    return (
      this.entries.length === 0 &&
      this.trades.length === 0 &&
      this.orders.length === 0 &&
      this.fees.size === 0
    );
  }

  addFee(asset: string, units: bigint, now: number): void {
    if (units === 0n) return;
    if (units < 0n) throw new Error(`A trading fee cannot be negative: ${units} ${asset}`);
    this.fees.set(asset, (this.fees.get(asset) ?? 0n) + units);
    this.feesAt = Math.max(this.feesAt, now);
  }

  /** Takes over the rows of a write that succeeded. */
  absorb(other: GroupWrites): void {
    for (const entry of other.entries) this.entries.push(entry);
    for (const trade of other.trades) this.trades.push(trade);
    for (const order of other.orders) this.orders.push(order);
    for (const [asset, units] of other.fees) this.addFee(asset, units, other.feesAt);
    this.cancelledMakers.push(...other.cancelledMakers);
  }
}

/** The order insert's columns, in the order its values are laid out. */
const ORDER_INSERT_COLUMNS = [
  'id',
  'subaccount_id',
  'symbol',
  'side',
  'order_type',
  'time_in_force',
  'post_only',
  'self_trade_prevention',
  'client_id',
  'price',
  'quantity',
  'quote_quantity',
  'executed_quantity',
  'executed_quote_quantity',
  'remaining',
  'status',
  'expiry_reason',
  'is_open',
  'created_seq',
  'created_at',
  'updated_at',
] as const;
/** The trade insert's columns, in the order its values are laid out. */
const TRADE_COLUMNS = [
  'id',
  'symbol',
  'price',
  'quantity',
  'quote_quantity',
  'taker_side',
  'maker_order_id',
  'taker_order_id',
  'maker_subaccount_id',
  'taker_subaccount_id',
  'maker_client_id',
  'taker_client_id',
  'maker_fee',
  'taker_fee',
  'created_at',
] as const;

/** Writes a group's rows inside its transaction; `reference` names the group (unique per market and commit). */
export class GroupWriter {
  private readonly orderInsert;
  private readonly tradeInsert;

  constructor(
    db: Kysely<Database>,
    private readonly ledger: Ledger,
  ) {
    this.orderInsert = new RowsInsert(db, 'orders', ORDER_INSERT_COLUMNS, 32, (order: NewOrder, out) => {
      out.push(
        order.id,
        order.subaccountId,
        order.symbol,
        order.side,
        order.orderType,
        order.timeInForce,
        order.postOnly ? 1 : 0,
        order.selfTradePrevention,
        order.clientId,
        order.price,
        order.quantity,
        order.quoteQuantity,
        order.executedQuantity,
        order.executedQuoteQuantity,
        order.remaining,
        order.status,
        order.expiryReason,
        order.remaining > 0n ? 1 : 0,
        order.createdSeq,
        order.createdAt,
        order.createdAt,
      );
    });
    this.tradeInsert = new RowsInsert(db, 'trades', TRADE_COLUMNS, 32, (trade: TradeRow, out) => {
      out.push(
        trade.id,
        trade.symbol,
        trade.price,
        trade.quantity,
        trade.quote,
        trade.takerSide,
        trade.makerOrderId,
        trade.takerOrderId,
        trade.makerAccountId,
        trade.takerAccountId,
        trade.makerClientId,
        trade.takerClientId,
        trade.makerFee,
        trade.takerFee,
        trade.createdAt,
      );
    });
  }

  async write(trx: Kysely<Database>, writes: GroupWrites, reference: string): Promise<void> {
    const fees: BalanceChange[] = [...writes.fees].map(([asset, units]) => ({
      accountId: FEE_ACCOUNT_ID,
      asset,
      availableDelta: units,
      lockedDelta: 0n,
    }));
    const entries = writes.entries.slice();
    if (fees.length > 0) {
      await this.ledger.updateBalances(trx, fees, writes.feesAt);
      entries.push(
        ...ledgerEntries(fees, { reason: 'fee', reference: `fees:${reference}`, now: writes.feesAt }),
      );
    }
    await this.ledger.writeEntries(trx, entries);
    await this.orderInsert.run(trx, writes.orders);
    await this.tradeInsert.run(trx, writes.trades);
  }

  /** Inserts orders now (a resting order cannot wait for the group: a later write may fill or cancel it). */
  insertOrders(trx: Kysely<Database>, orders: readonly NewOrder[]): Promise<void> {
    return this.orderInsert.run(trx, orders);
  }
}
