/**
 * PostgreSQL: everything a group commit writes, in ONE statement (one round trip whatever the group's size).
 *
 * Why: PostgreSQL orders were bound by round trips, not CPU. Measured on the 2-core development machine under
 * load (bench/order-dialects.ts, and a statement timer in process), a round trip inside the group's transaction
 * cost 2-4 ms of waiting there, and a group wrote with one statement per table (more for large inserts): about
 * 11 round trips per group. Three ways were weighed: multi-row VALUES (a different SQL text per row count, so
 * parsed and planned again for most groups, and ~600 parameters for 32 orders), a pipelining driver (a second
 * PostgreSQL client library and Kysely dialect for one code path), and `unnest` arrays in data-modifying CTEs,
 * chosen: one fixed statement of ~60 parameters (one array per column), same isolation and transaction, built with
 * Kysely's `sql` and prepared once.
 *
 * The CTEs all see the snapshot from before the statement and cannot see each other's rows, so what they write
 * must not overlap: a fill of an order inserted by the same group is folded into its insert by the caller
 * (GroupWriter), balance changes are merged per row and each row is either a debit or a credit. The guarded
 * debits and the order updates report how many rows they changed; the caller refuses a group where a count is
 * short (a debit whose guard failed, an order that was not there), which rolls the transaction back.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

import { prepareQuery } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';

type Column = readonly [name: string, type: 'bigint' | 'text' | 'integer'];

const ORDER_COLUMNS: readonly Column[] = [
  ['id', 'bigint'],
  ['subaccount_id', 'text'],
  ['symbol', 'text'],
  ['side', 'text'],
  ['order_type', 'text'],
  ['time_in_force', 'text'],
  ['post_only', 'integer'],
  ['self_trade_prevention', 'text'],
  ['client_id', 'bigint'],
  ['price', 'bigint'],
  ['quantity', 'bigint'],
  ['quote_quantity', 'bigint'],
  ['executed_quantity', 'bigint'],
  ['executed_quote_quantity', 'bigint'],
  ['remaining', 'bigint'],
  ['status', 'text'],
  ['expiry_reason', 'text'],
  ['is_open', 'integer'],
  ['created_seq', 'bigint'],
  ['created_at', 'bigint'],
  ['updated_at', 'bigint'],
];
const UPDATE_COLUMNS: readonly Column[] = [
  ['id', 'bigint'],
  ['quantity', 'bigint'],
  ['quote', 'bigint'],
  ['remaining', 'bigint'],
  ['status', 'text'],
  ['open', 'integer'],
  ['now', 'bigint'],
];
const BALANCE_COLUMNS: readonly Column[] = [
  ['subaccount_id', 'text'],
  ['asset', 'text'],
  ['available', 'bigint'],
  ['locked', 'bigint'],
];
const ENTRY_COLUMNS: readonly Column[] = [
  ['id', 'text'],
  ['subaccount_id', 'text'],
  ['asset', 'text'],
  ['available_delta', 'bigint'],
  ['locked_delta', 'bigint'],
  ['reason', 'text'],
  ['created_at', 'bigint'],
];
const TRADE_COLUMNS: readonly Column[] = [
  ['id', 'bigint'],
  ['symbol', 'text'],
  ['price', 'bigint'],
  ['quantity', 'bigint'],
  ['quote_quantity', 'bigint'],
  ['taker_side', 'text'],
  ['maker_order_id', 'bigint'],
  ['taker_order_id', 'bigint'],
  ['maker_subaccount_id', 'text'],
  ['taker_subaccount_id', 'text'],
  ['maker_client_id', 'bigint'],
  ['taker_client_id', 'bigint'],
  ['maker_fee', 'bigint'],
  ['taker_fee', 'bigint'],
  ['created_at', 'bigint'],
];

/** The tables' column arrays, by table: each array holds one value per row, rows in the same order. */
export interface GroupColumns {
  readonly orders: readonly unknown[][];
  readonly updates: readonly unknown[][];
  readonly debits: readonly unknown[][];
  readonly credits: readonly unknown[][];
  readonly entries: readonly unknown[][];
  readonly trades: readonly unknown[][];
  /** updated_at of the balances. */
  readonly now: number;
}

/** How many column arrays each table takes (the order of its columns above). */
export const GROUP_COLUMN_COUNTS = {
  orders: ORDER_COLUMNS.length,
  updates: UPDATE_COLUMNS.length,
  debits: BALANCE_COLUMNS.length,
  credits: BALANCE_COLUMNS.length,
  entries: ENTRY_COLUMNS.length,
  trades: TRADE_COLUMNS.length,
} as const;

type Table = keyof typeof GROUP_COLUMN_COUNTS;

export class PostgresGroupWrite {
  private readonly statement;

  constructor(db: Kysely<Database>) {
    this.statement = prepareQuery<{ updated: number; debited: number }, string>((p) => {
      const rows = (table: Table, columns: readonly Column[], alias: string): RawBuilder<unknown> =>
        sql`unnest(${sql.join(
          columns.map(([, type], i) => sql`cast(${p(`${table}${i}`)} as ${sql.raw(type)}[])`),
        )}) as ${sql.raw(alias)}(${sql.raw(columns.map(([name]) => name).join(', '))})`;
      const names = (columns: readonly Column[]) => sql.raw(columns.map(([name]) => name).join(', '));
      const query = sql<{ updated: number; debited: number }>`with
        new_orders as (insert into orders (${names(ORDER_COLUMNS)}) select * from ${rows('orders', ORDER_COLUMNS, 'o')}),
        updated as (update orders set executed_quantity = orders.executed_quantity + u.quantity,
            executed_quote_quantity = orders.executed_quote_quantity + u.quote, remaining = u.remaining,
            status = u.status, is_open = u.open, updated_at = u.now
          from ${rows('updates', UPDATE_COLUMNS, 'u')} where orders.id = u.id returning 1),
        debited as (update balances set available = balances.available + d.available,
            locked = balances.locked + d.locked, updated_at = ${p('now')}
          from ${rows('debits', BALANCE_COLUMNS, 'd')}
          where balances.subaccount_id = d.subaccount_id and balances.asset = d.asset
            and balances.available + d.available >= 0 and balances.locked + d.locked >= 0 returning 1),
        credited as (insert into balances (subaccount_id, asset, available, locked, staked, updated_at)
          select c.subaccount_id, c.asset, c.available, c.locked, 0, ${p('now')} from ${rows('credits', BALANCE_COLUMNS, 'c')}
          on conflict (subaccount_id, asset) do update set available = balances.available + excluded.available,
            locked = balances.locked + excluded.locked, updated_at = excluded.updated_at),
        entries as (insert into ledger_entries (${names(ENTRY_COLUMNS)}) select * from ${rows('entries', ENTRY_COLUMNS, 'e')}),
        new_trades as (insert into trades (${names(TRADE_COLUMNS)}) select * from ${rows('trades', TRADE_COLUMNS, 't')})
      select cast((select count(*) from updated) as integer) as updated,
        cast((select count(*) from debited) as integer) as debited`;
      return { compile: () => query.compile(db) };
    });
  }

  /** Writes the group; throws (the transaction then rolls back) when an update or a guarded debit fell short. */
  async run(trx: Kysely<Database>, columns: GroupColumns): Promise<void> {
    const values: Record<string, unknown> = { now: columns.now };
    for (const table of Object.keys(GROUP_COLUMN_COUNTS) as Table[]) {
      const arrays = columns[table];
      if (arrays.length !== GROUP_COLUMN_COUNTS[table]) throw new Error(`${table}: wrong column count`);
      arrays.forEach((array, i) => {
        values[`${table}${i}`] = array;
      });
    }
    const row = (await this.statement.run(trx, values)).rows[0];
    if (Number(row?.updated) !== (columns.updates[0]?.length ?? 0)) {
      throw new Error('A resting order of the group is missing from the database');
    }
    if (Number(row?.debited) !== (columns.debits[0]?.length ?? 0)) {
      throw new Error('A group debit failed its guard: the balances it was checked against changed');
    }
  }
}
