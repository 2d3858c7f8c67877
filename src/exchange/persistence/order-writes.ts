/**
 * The statements the order path runs on `orders` inside its market's transaction (order-service.ts decides, this
 * module writes): the group's changes to resting orders (fills, cancels by self-trade prevention; see
 * group-writes.ts; on SQLite, one cached statement per order: in process, no round trip; PostgreSQL writes them in
 * the group's one statement, postgres-group-write.ts), a cancel, and cancelling every resting order of a
 * subaccount in a market. Compiled once (prepareQuery).
 * Invariant: every statement is scoped by order id or by (subaccount, symbol); callers have already checked the
 * order's owner through the book.
 */
import { sql, type Kysely } from 'kysely';

import { prepareQuery } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import { ORDER_SELECT_COLUMNS, type OrderRow } from './order-records.ts';
import type { OrderStatus } from '../model/order-types.ts';

/** What a group does to an order already on the book: executed amounts added, the rest set. */
export interface RestingOrderUpdate {
  readonly id: number;
  /** Base units executed by this change (0 for a cancel). */
  readonly quantity: bigint;
  /** Quote units executed by this change. */
  readonly quote: bigint;
  readonly remaining: bigint;
  readonly status: OrderStatus;
  readonly now: number;
}

type UpdateColumns = 'id' | 'quantity' | 'quote' | 'remaining' | 'status' | 'open' | 'now';

export class OrderWrites {
  private readonly updateOne;
  private readonly markCancelled;
  private readonly markAllCancelled;

  constructor(db: Kysely<Database>) {
    this.updateOne = prepareQuery<never, UpdateColumns>((p) =>
      db
        .updateTable('orders')
        .set({
          executed_quantity: sql`executed_quantity + ${p('quantity')}`,
          executed_quote_quantity: sql`executed_quote_quantity + ${p('quote')}`,
          remaining: p('remaining'),
          status: p('status'),
          is_open: p('open'),
          updated_at: p('now'),
        })
        .where('id', '=', p('id')),
    );
    this.markCancelled = prepareQuery<OrderRow, 'id' | 'status' | 'now'>((p) =>
      db
        .updateTable('orders')
        .set({ status: p('status'), is_open: sql`0`, remaining: sql`0`, updated_at: p('now') })
        .where('id', '=', p('id'))
        .returning(ORDER_SELECT_COLUMNS),
    );
    this.markAllCancelled = prepareQuery<OrderRow, 'account' | 'symbol' | 'status' | 'now'>((p) =>
      db
        .updateTable('orders')
        .set({ status: p('status'), is_open: sql`0`, remaining: sql`0`, updated_at: p('now') })
        .where('subaccount_id', '=', p('account'))
        .where('symbol', '=', p('symbol'))
        .where(sql<boolean>`is_open = 1`)
        .returning(ORDER_SELECT_COLUMNS),
    );
  }

  /** Applies a group's changes to orders already written; each must change exactly one row. */
  async updateResting(trx: Kysely<Database>, updates: readonly RestingOrderUpdate[]): Promise<void> {
    for (const update of updates) {
      const result = await this.updateOne.run(trx, { ...update, open: update.remaining === 0n ? 0 : 1 });
      if (result.numAffectedRows !== 1n) throw missingOrder();
    }
  }

  /** Marks one order cancelled; returns its row as the cancel leaves it. */
  async cancel(trx: Kysely<Database>, id: number, now: number): Promise<OrderRow> {
    const { rows } = await this.markCancelled.run(trx, { id, status: 'Cancelled', now });
    return rows[0] as OrderRow;
  }

  /** Marks every resting order of `account` in `symbol` cancelled; returns their rows. */
  async cancelAll(trx: Kysely<Database>, account: string, symbol: string, now: number): Promise<OrderRow[]> {
    const { rows } = await this.markAllCancelled.run(trx, { account, symbol, status: 'Cancelled', now });
    return rows;
  }
}

function missingOrder(): Error {
  return new Error('A resting order of the group is missing from the database');
}
