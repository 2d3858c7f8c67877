/**
 * Backpack-visible numeric ids (orders, trades, deposits, withdrawals) and per-market sequences, from the
 * `counters` table: `update counters set value = value + n where name = ? returning value` is atomic on SQLite
 * (>= 3.35) and PostgreSQL alike, so ids stay unique across processes sharing one database.
 * Order and trade ids are taken inside the order's write transaction (ordered-ids.ts), so they follow commit order.
 * Threat: reusing an id. A value is only ever handed out by the transaction that moved the counter past it.
 */
import { sql, type Kysely } from 'kysely';

import type { Database } from '../../store/schema.ts';

export type CounterName = 'order' | 'trade' | 'deposit' | 'withdrawal' | `market:${string}`;

/** Adds `count` to a counter and returns the first of the `count` values now reserved. */
export async function allocateIds(db: Kysely<Database>, name: CounterName, count: number): Promise<number> {
  const row = await db
    .updateTable('counters')
    .set({ value: sql`value + ${count}` })
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  if (row === undefined) throw new Error(`Counter ${name} does not exist`);
  return Number(row.value) - count + 1;
}

/** Creates counters that do not exist yet (value 0); existing ones are left alone. */
export async function ensureCounters(db: Kysely<Database>, names: readonly CounterName[]): Promise<void> {
  if (names.length === 0) return;
  await db
    .insertInto('counters')
    .values(names.map((name) => ({ name, value: 0 })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}
