/**
 * Backpack-visible numeric ids (orders, trades, deposits, withdrawals) and per-market sequences, from the
 * `counters` table: `update counters set value = value + n where name = ? returning value` is atomic on SQLite
 * (>= 3.35) and PostgreSQL alike, so ids stay unique across processes sharing one database.
 *
 * IdBlock hands out order and trade ids from blocks reserved in their own short transaction, so the hot order
 * path neither spends a query on them nor holds the global counter row locked (PostgreSQL) for the length of an
 * order. Ids are therefore unique but, across processes, not in time order; gaps appear when a process stops.
 * Threat: reusing an id. A block is taken from the database before it is used and never returned, and the
 * in-transaction fallback rolls back together with whatever used its ids.
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

export class IdBlock {
  private next = 1;
  private end = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly name: CounterName,
    private readonly blockSize: number,
  ) {}

  /** Outside any transaction: makes sure at least `count` ids are at hand (one query when the block runs low). */
  async reserve(count: number): Promise<void> {
    if (this.end - this.next + 1 >= count) return;
    const size = Math.max(this.blockSize, count);
    const first = await allocateIds(this.db, this.name, size);
    this.next = first;
    this.end = first + size - 1;
  }

  /**
   * `count` ids: from the block when it has them, otherwise (another caller used them since reserve()) the
   * missing ones come from the counter inside `trx`, so they roll back with the transaction that uses them.
   */
  async take(trx: Kysely<Database>, count: number): Promise<number[]> {
    const ids: number[] = [];
    while (ids.length < count && this.next <= this.end) ids.push(this.next++);
    if (ids.length < count) {
      const missing = count - ids.length;
      const first = await allocateIds(trx, this.name, missing);
      for (let i = 0; i < missing; i += 1) ids.push(first + i);
    }
    return ids;
  }
}
