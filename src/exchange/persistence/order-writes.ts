/**
 * The statements the order path runs on `orders` inside its market's transaction (order-service.ts decides, this
 * module writes): a maker's fill, a cancel, cancelling every resting order of a subaccount in a market, and
 * finding a resting order by its client id. Compiled once (prepareQuery): they run on every order.
 * Invariant: every statement is scoped by order id or by (subaccount, symbol); callers have already checked the
 * order's owner through the book.
 */
import { sql, type Kysely } from 'kysely';

import { prepareQuery } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import { ORDER_SELECT_COLUMNS, type OrderRow } from './order-records.ts';

export interface MakerFill {
  readonly id: number;
  readonly quantity: bigint;
  readonly quote: bigint;
  readonly remaining: bigint;
  readonly now: number;
}

export class OrderWrites {
  private readonly updateMaker;
  private readonly markCancelled;
  private readonly markAllCancelled;
  private readonly findByClientId;

  constructor(db: Kysely<Database>) {
    this.updateMaker = prepareQuery<
      { client_id: number | null },
      'id' | 'quantity' | 'quote' | 'remaining' | 'status' | 'open' | 'now'
    >((p) =>
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
        .where('id', '=', p('id'))
        .returning('client_id'),
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
    this.findByClientId = prepareQuery<{ id: number }, 'account' | 'symbol' | 'clientId' | 'limit'>((p) =>
      db
        .selectFrom('orders')
        .select('id')
        .where('subaccount_id', '=', p('account'))
        .where(sql<boolean>`is_open = 1`)
        .where('symbol', '=', p('symbol'))
        .where('client_id', '=', p('clientId'))
        .orderBy('id', 'desc')
        .limit(p('limit')),
    );
  }

  /** Applies one fill to a resting maker; returns the maker's client id. */
  async fillMaker(trx: Kysely<Database>, fill: MakerFill): Promise<number | null> {
    const { rows } = await this.updateMaker.run(trx, {
      id: fill.id,
      quantity: fill.quantity,
      quote: fill.quote,
      remaining: fill.remaining,
      status: fill.remaining === 0n ? 'Filled' : 'PartiallyFilled',
      open: fill.remaining === 0n ? 0 : 1,
      now: fill.now,
    });
    const clientId = rows[0]?.client_id;
    return clientId === undefined || clientId === null ? null : Number(clientId);
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

  /** The newest resting order of `account` in `symbol` with this client id, if any. */
  async findOpenByClientId(
    trx: Kysely<Database>,
    input: { account: string; symbol: string; clientId: number },
  ): Promise<string | undefined> {
    const { rows } = await this.findByClientId.run(trx, { ...input, limit: 1 });
    return rows[0] === undefined ? undefined : String(rows[0].id);
  }
}
