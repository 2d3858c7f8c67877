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

import { prepareQuery } from '../store/prepared-query.ts';
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

/** Writes a group's rows inside its transaction; `reference` names the group (unique per market and commit). */
export class GroupWriter {
  private readonly tradeInserts = new Map<number, ReturnType<GroupWriter['prepareTradeInsert']>>();

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
      const chunk = trades.slice(start, start + MAX_TRADES_PER_INSERT);
      let insert = this.tradeInserts.get(chunk.length);
      if (insert === undefined) {
        insert = this.prepareTradeInsert(chunk.length);
        this.tradeInserts.set(chunk.length, insert);
      }
      const values: Record<string, unknown> = {};
      chunk.forEach((trade, i) => {
        values[`id${i}`] = trade.id;
        values[`symbol${i}`] = trade.symbol;
        values[`price${i}`] = trade.price.toString();
        values[`quantity${i}`] = trade.quantity.toString();
        values[`quote${i}`] = trade.quote.toString();
        values[`side${i}`] = trade.takerSide;
        values[`makerOrder${i}`] = trade.makerOrderId;
        values[`takerOrder${i}`] = trade.takerOrderId;
        values[`makerAccount${i}`] = trade.makerAccountId;
        values[`takerAccount${i}`] = trade.takerAccountId;
        values[`makerClientId${i}`] = trade.makerClientId;
        values[`takerClientId${i}`] = trade.takerClientId;
        values[`makerFee${i}`] = trade.makerFee.toString();
        values[`takerFee${i}`] = trade.takerFee.toString();
        values[`now${i}`] = trade.createdAt;
      });
      await insert.run(trx, values);
    }
  }

  private prepareTradeInsert(count: number) {
    return prepareQuery<never, string>((p) =>
      this.db.insertInto('trades').values(
        Array.from({ length: count }, (_, i) => ({
          id: p(`id${i}`),
          symbol: p(`symbol${i}`),
          price: p(`price${i}`),
          quantity: p(`quantity${i}`),
          quote_quantity: p(`quote${i}`),
          taker_side: p(`side${i}`),
          maker_order_id: p(`makerOrder${i}`),
          taker_order_id: p(`takerOrder${i}`),
          maker_subaccount_id: p(`makerAccount${i}`),
          taker_subaccount_id: p(`takerAccount${i}`),
          maker_client_id: p(`makerClientId${i}`),
          taker_client_id: p(`takerClientId${i}`),
          maker_fee: p(`makerFee${i}`),
          taker_fee: p(`takerFee${i}`),
          created_at: p(`now${i}`),
        })),
      ),
    );
  }
}
