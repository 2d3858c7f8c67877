/**
 * Everything orders and cancels change in the database, held for the end of their group commit (MarketBooks) and
 * written there in a few multi-row statements, right before the commit and in the same transaction: still all or
 * nothing, just far fewer statements (on PostgreSQL, far fewer round trips: a group of 64 crossing orders went
 * from ~270 statements to ~12). What each write needs to decide lives in memory meanwhile: the book, and the
 * group's balances (read once, locked, see GroupBalances) with every change so far.
 *
 * Held per group: new orders (resting or not), changes to resting orders (fills, cancels by self-trade
 * prevention), balance changes merged per row, ledger entries, trades, the fee account's credits, and each
 * order's changes for the event pipeline (commit-observer.ts), recorded as they were made.
 * Each write gets its own GroupWrites and hands it to the group only when it succeeded; a write that fails is
 * dropped (its rows are never written). Flush order: new orders before the updates of resting orders (a maker
 * may be an order of the same group), then balances, fees, entries and trades.
 */
import { PostgresAdapter, type Kysely } from 'kysely';

import { RowsInsert } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import type { BalanceChange } from '../model/balance-change.ts';
import { FEE_ACCOUNT_ID, balanceKey, ledgerEntries, type Ledger, type LedgerEntry } from './ledger.ts';
import type { OrderChange, TradeRow } from './commit-observer.ts';
import type { OrderRecord } from './order-records.ts';
import { OrderWrites, type RestingOrderUpdate } from './order-writes.ts';
import { GROUP_COLUMN_COUNTS, PostgresGroupWrite, type GroupColumns } from './postgres-group-write.ts';

export type { TradeRow } from './commit-observer.ts';

/** A new row of `orders`: the order as reported, plus what the book needs to rebuild it. */
export interface NewOrder extends Omit<OrderRecord, 'id'> {
  readonly id: number;
  /** What rests on the book (0 for an order that never rested). */
  readonly remaining: bigint;
  /** Time priority on the book; null for an order that never rested. */
  readonly createdSeq: number | null;
  /** Set when a later write of the same group filled or cancelled it (default: createdAt). */
  readonly updatedAt?: number;
}

export class GroupWrites {
  readonly entries: LedgerEntry[] = [];
  readonly trades: TradeRow[] = [];
  /** New orders, resting or not. */
  readonly orders: NewOrder[] = [];
  /** Changes to orders already in the table (or earlier in `orders`), merged per order id. */
  readonly orderUpdates = new Map<number, RestingOrderUpdate>();
  /** Balance changes of subaccounts, merged per (account, asset). */
  readonly balances = new Map<string, BalanceChange>();
  /** Trading fees per asset, for the fee account. */
  readonly fees = new Map<string, bigint>();
  /** The latest time of the fees (their entries' time). */
  feesAt = 0;
  /** What happened to each order, in order (for the event pipeline; never written here). */
  readonly orderChanges: OrderChange[] = [];

  get isEmpty(): boolean {
    return (
      this.entries.length === 0 &&
      this.trades.length === 0 &&
      this.orders.length === 0 &&
      this.orderUpdates.size === 0 &&
      this.balances.size === 0 &&
      this.fees.size === 0
    );
  }

  addFee(asset: string, units: bigint, now: number): void {
    if (units === 0n) return;
    if (units < 0n) throw new Error(`A trading fee cannot be negative: ${units} ${asset}`);
    this.fees.set(asset, (this.fees.get(asset) ?? 0n) + units);
    this.feesAt = Math.max(this.feesAt, now);
  }

  addBalanceChange(change: BalanceChange): void {
    const key = balanceKey(change.accountId, change.asset);
    const previous = this.balances.get(key);
    this.balances.set(
      key,
      previous === undefined
        ? change
        : {
            ...previous,
            availableDelta: previous.availableDelta + change.availableDelta,
            lockedDelta: previous.lockedDelta + change.lockedDelta,
          },
    );
  }

  /** A fill or cancel of an order already written (or new in this group): deltas add up, the rest is the latest. */
  updateOrder(update: RestingOrderUpdate): void {
    const previous = this.orderUpdates.get(update.id);
    this.orderUpdates.set(
      update.id,
      previous === undefined
        ? update
        : {
            ...update,
            quantity: previous.quantity + update.quantity,
            quote: previous.quote + update.quote,
          },
    );
  }

  /** Takes over the rows of a write that succeeded. */
  absorb(other: GroupWrites): void {
    for (const entry of other.entries) this.entries.push(entry);
    for (const trade of other.trades) this.trades.push(trade);
    for (const order of other.orders) this.orders.push(order);
    for (const update of other.orderUpdates.values()) this.updateOrder(update);
    for (const change of other.balances.values()) this.addBalanceChange(change);
    for (const [asset, units] of other.fees) this.addFee(asset, units, other.feesAt);
    for (const change of other.orderChanges) this.orderChanges.push(change);
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
  /** PostgreSQL: the whole group in one statement. */
  private readonly postgres: PostgresGroupWrite | undefined;

  constructor(
    db: Kysely<Database>,
    readonly ledger: Ledger,
    private readonly orderWrites: OrderWrites = new OrderWrites(db),
  ) {
    this.postgres =
      db.getExecutor().adapter instanceof PostgresAdapter ? new PostgresGroupWrite(db) : undefined;
    this.orderInsert = new RowsInsert(db, 'orders', ORDER_INSERT_COLUMNS, 32, orderValues);
    this.tradeInsert = new RowsInsert(db, 'trades', TRADE_COLUMNS, 32, tradeValues);
  }

  /** Writes every row `writes` holds (and empties what writeOrders() would write again). */
  async write(trx: Kysely<Database>, writes: GroupWrites, reference: string): Promise<void> {
    foldIntoNewOrders(writes);
    const fees: BalanceChange[] = [...writes.fees].map(([asset, units]) => ({
      accountId: FEE_ACCOUNT_ID,
      asset,
      availableDelta: units,
      lockedDelta: 0n,
    }));
    let now = writes.feesAt;
    for (const entry of writes.entries) if (entry.createdAt > now) now = entry.createdAt;
    const balances = [...writes.balances.values(), ...fees];
    const entries = writes.entries.slice();
    if (fees.length > 0) {
      entries.push(
        ...ledgerEntries(fees, { reason: 'fee', reference: `fees:${reference}`, now: writes.feesAt }),
      );
    }
    if (this.postgres !== undefined) {
      await this.postgres.run(trx, groupColumns({ writes, balances, entries, trades: writes.trades, now }));
      writes.orders.length = 0;
      writes.orderUpdates.clear();
      return;
    }
    await this.writeOrders(trx, writes);
    await this.ledger.updateBalances(trx, balances, now);
    await this.ledger.writeEntries(trx, entries);
    await this.tradeInsert.run(trx, writes.trades);
  }

  /**
   * Writes the group's new orders and the changes to resting ones now, and forgets them: a write that is about to
   * read or update `orders` rows itself (a cancel) calls this first.
   */
  async writeOrders(trx: Kysely<Database>, writes: GroupWrites): Promise<void> {
    foldIntoNewOrders(writes);
    if (this.postgres !== undefined) {
      if (writes.orders.length > 0 || writes.orderUpdates.size > 0) {
        await this.postgres.run(trx, groupColumns({ writes, balances: [], entries: [], trades: [], now: 0 }));
      }
    } else {
      await this.orderInsert.run(trx, writes.orders);
      await this.orderWrites.updateResting(trx, [...writes.orderUpdates.values()]);
    }
    writes.orders.length = 0;
    writes.orderUpdates.clear();
  }
}

/**
 * Applies the group's fills and cancels of orders the group itself placed to their new rows: one insert of the
 * final row instead of an insert and an update (which PostgreSQL's single statement could not order anyway).
 */
function foldIntoNewOrders(writes: GroupWrites): void {
  if (writes.orderUpdates.size === 0 || writes.orders.length === 0) return;
  writes.orders.forEach((order, i) => {
    const update = writes.orderUpdates.get(order.id);
    if (update === undefined) return;
    writes.orders[i] = {
      ...order,
      executedQuantity: order.executedQuantity + update.quantity,
      executedQuoteQuantity: order.executedQuoteQuantity + update.quote,
      remaining: update.remaining,
      status: update.status,
      updatedAt: update.now,
    };
    writes.orderUpdates.delete(order.id);
  });
}

function orderValues(order: NewOrder, out: unknown[]): void {
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
    order.updatedAt ?? order.createdAt,
  );
}

function tradeValues(trade: TradeRow, out: unknown[]): void {
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
}

/** Rows as one array per column (what PostgresGroupWrite binds), laid out by `valuesOf`. */
function toColumns<Row>(
  rows: readonly Row[],
  count: number,
  valuesOf: (row: Row, out: unknown[]) => void,
): unknown[][] {
  const columns: unknown[][] = Array.from({ length: count }, () => []);
  const values: unknown[] = [];
  for (const row of rows) {
    values.length = 0;
    valuesOf(row, values);
    for (let i = 0; i < count; i += 1) (columns[i] as unknown[]).push(values[i]);
  }
  return columns;
}

function groupColumns(input: {
  writes: GroupWrites;
  balances: readonly BalanceChange[];
  entries: readonly LedgerEntry[];
  trades: readonly TradeRow[];
  now: number;
}): GroupColumns {
  const { writes, balances } = input;
  const changed = balances.filter((change) => change.availableDelta !== 0n || change.lockedDelta !== 0n);
  const isCredit = (change: BalanceChange) => change.availableDelta >= 0n && change.lockedDelta >= 0n;
  const balanceValues = (change: BalanceChange, out: unknown[]) => {
    out.push(change.accountId, change.asset, change.availableDelta, change.lockedDelta);
  };
  return {
    orders: toColumns(writes.orders, GROUP_COLUMN_COUNTS.orders, orderValues),
    updates: toColumns([...writes.orderUpdates.values()], GROUP_COLUMN_COUNTS.updates, (update, out) => {
      out.push(
        update.id,
        update.quantity,
        update.quote,
        update.remaining,
        update.status,
        update.remaining === 0n ? 0 : 1,
        update.now,
      );
    }),
    debits: toColumns(
      changed.filter((change) => !isCredit(change)),
      GROUP_COLUMN_COUNTS.debits,
      balanceValues,
    ),
    credits: toColumns(changed.filter(isCredit), GROUP_COLUMN_COUNTS.credits, balanceValues),
    entries: toColumns(input.entries, GROUP_COLUMN_COUNTS.entries, (entry, out) => {
      out.push(
        entry.id,
        entry.accountId,
        entry.asset,
        entry.availableDelta,
        entry.lockedDelta,
        entry.reason,
        entry.createdAt,
      );
    }),
    trades: toColumns(input.trades, GROUP_COLUMN_COUNTS.trades, tradeValues),
    now: input.now,
  };
}
