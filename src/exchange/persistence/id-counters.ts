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
  /** Reserved ranges not used up yet, oldest first: [next, end]. */
  private readonly ranges: [number, number][] = [];
  private available = 0;
  /** The reservation under way, which every caller that finds the block low waits for. */
  private refilling: Promise<void> | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly name: CounterName,
    private readonly blockSize: number,
  ) {}

  /**
   * Outside any transaction: makes sure at least `count` ids are at hand (one query when the block runs low).
   * "Low" leaves room for a whole group: the orders of a group each reserve before any of them takes, so a block
   * refilled only when `count` were missing sent most of a group to the counter row inside its transaction (a
   * round trip each, and the row locked until the group committed, on PostgreSQL the reservation of every other
   * caller waiting for it). One refill at a time; what is left of the old block is still used first.
   */
  async reserve(count: number): Promise<void> {
    while (this.available < count + Math.floor(this.blockSize / 4)) {
      if (this.refilling === undefined) {
        const size = Math.max(this.blockSize, count);
        this.refilling = allocateIds(this.db, this.name, size)
          .then((first) => {
            this.ranges.push([first, first + size - 1]);
            this.available += size;
          })
          .finally(() => {
            this.refilling = undefined;
          });
      }
      await this.refilling;
    }
  }

  /**
   * `count` ids: from the block when it has them, otherwise (another caller used them since reserve()) the
   * missing ones come from the counter inside `trx`, so they roll back with the transaction that uses them.
   */
  async take(trx: Kysely<Database>, count: number): Promise<number[]> {
    const ids: number[] = [];
    while (ids.length < count && this.ranges.length > 0) {
      const range = this.ranges[0] as [number, number];
      ids.push(range[0]++);
      this.available -= 1;
      if (range[0] > range[1]) this.ranges.shift();
    }
    if (ids.length < count) {
      const missing = count - ids.length;
      const first = await allocateIds(trx, this.name, missing);
      for (let i = 0; i < missing; i += 1) ids.push(first + i);
    }
    return ids;
  }
}
