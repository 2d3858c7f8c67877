/**
 * Rows that orders and cancels leave for the end of their group commit (MarketBooks): ledger entries, trades
 * and the fee account's credits. Nothing inside a group reads them (balances, books and order rows are what the
 * next write looks at), so the group writes them together in a few multi-row statements right before it
 * commits, in the same transaction: still all or nothing, just fewer statements.
 *
 * Each write gets its own GroupWrites and hands it to the group only when it succeeded; a write that fails is
 * rolled back to its savepoint and its rows are never written. Fees are summed per asset: one balance update
 * and one 'fee' ledger entry per asset and group, instead of two of each per fill on the hottest row there is.
 */
import type { Kysely } from 'kysely';

import { prepareInsertRows, type PreparedRows } from '../store/prepared-query.ts';
import type { Database } from '../store/schema.ts';
import {
  FEE_ACCOUNT_ID,
  ledgerEntries,
  type BalanceChange,
  type Ledger,
  type LedgerEntry,
} from './ledger.ts';
import type { Side } from './order-types.ts';

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

export class GroupWrites {
  readonly entries: LedgerEntry[] = [];
  readonly trades: TradeRow[] = [];
  /** Trading fees per asset, for the fee account. */
  readonly fees = new Map<string, bigint>();
  /** The latest time of the fees (their entries' time). */
  feesAt = 0;

  get isEmpty(): boolean {
    return this.entries.length === 0 && this.trades.length === 0 && this.fees.size === 0;
  }

  addFee(asset: string, units: bigint, now: number): void {
    if (units === 0n) return;
    if (units < 0n) throw new Error(`A trading fee cannot be negative: ${units} ${asset}`);
    this.fees.set(asset, (this.fees.get(asset) ?? 0n) + units);
    this.feesAt = Math.max(this.feesAt, now);
  }

  /** Takes over the rows of a write that succeeded. */
  absorb(other: GroupWrites): void {
    this.entries.push(...other.entries);
    this.trades.push(...other.trades);
    for (const [asset, units] of other.fees) this.addFee(asset, units, other.feesAt);
  }
}

const MAX_TRADES_PER_INSERT = 32;
/** In the order insertTrades() lays out each row's values. */
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
  private readonly tradeInserts = new Map<number, PreparedRows>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly ledger: Ledger,
  ) {}

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
    await this.insertTrades(trx, writes.trades);
  }

  private async insertTrades(trx: Kysely<Database>, trades: readonly TradeRow[]): Promise<void> {
    for (let start = 0; start < trades.length; start += MAX_TRADES_PER_INSERT) {
      const end = Math.min(trades.length, start + MAX_TRADES_PER_INSERT);
      const values: unknown[] = [];
      for (let i = start; i < end; i += 1) {
        const trade = trades[i] as TradeRow;
        values.push(
          trade.id,
          trade.symbol,
          trade.price.toString(),
          trade.quantity.toString(),
          trade.quote.toString(),
          trade.takerSide,
          trade.makerOrderId,
          trade.takerOrderId,
          trade.makerAccountId,
          trade.takerAccountId,
          trade.makerClientId,
          trade.takerClientId,
          trade.makerFee.toString(),
          trade.takerFee.toString(),
          trade.createdAt,
        );
      }
      let insert = this.tradeInserts.get(end - start);
      if (insert === undefined) {
        insert = prepareInsertRows(this.db, 'trades', TRADE_COLUMNS, end - start);
        this.tradeInserts.set(end - start, insert);
      }
      await insert.run(trx, values);
    }
  }
}
