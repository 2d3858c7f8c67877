/**
 * Order and trade ids in time order: each id is taken from its counter row (`counters`, 'order' / 'trade') by an
 * `update ... set value = value + n returning value` INSIDE the write transaction that uses it.
 *
 * Why that orders them: the counter row stays locked (PostgreSQL row lock; SQLite's single writer) from the
 * update until the commit, so a transaction that takes ids after another one committed always gets larger ids,
 * and writes of one market are already serialised by its sequence row (market-books.ts). Hence, across workers,
 * processes sharing one SQLite file, PostgreSQL nodes and restarts: trade ids increase strictly per market in
 * execution order and order ids in acceptance (commit) order, and the trade stream's `t`, REST trades, fills and
 * order ids all agree. A rolled-back write (or savepoint) gives its ids back with the counter; an order refused
 * after taking its id (funds) leaves a gap: ids increase strictly but need not be consecutive.
 * Cost: one statement per `chunk` ids a transaction takes, not one per order: the first take of a transaction
 * moves the counter by at least `chunk` and keeps the rest for that transaction's later takes (a group commit's
 * orders share one transaction, so a group of up to 16 orders with up to 64 fills costs two statements: on
 * PostgreSQL two round trips, where the global counter row also serialises the commits of different markets'
 * groups). Ids a transaction reserved but did not use are gaps, like those of refused orders. The previous design
 * (blocks of 1000 ids per process) was cheaper but handed ids out of time order across processes.
 * Threat: reusing an id: impossible, the counter is only ever moved forward by the transaction that commits.
 */
import { sql, type Kysely } from 'kysely';

import { prepareQuery, type PreparedQuery } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import type { CounterName } from './id-counters.ts';

export class OrderedIds {
  private readonly advance: PreparedQuery<{ value: number | string }, 'name' | 'count'>;
  /** Ids a transaction reserved and has not used yet: [next, end], by transaction. */
  private readonly held = new WeakMap<object, [number, number]>();

  constructor(
    db: Kysely<Database>,
    private readonly name: Extract<CounterName, 'order' | 'trade'>,
    /** How many ids one statement reserves for its transaction, at least. */
    private readonly chunk = 1,
  ) {
    this.advance = prepareQuery<{ value: number | string }, 'name' | 'count'>((p) =>
      db
        .updateTable('counters')
        .set({ value: sql`value + ${p('count')}` })
        .where('name', '=', p('name'))
        .returning('value'),
    );
  }

  /** `count` consecutive ids, taken inside `trx` (the transaction that writes the rows that carry them). */
  async take(trx: Kysely<Database>, count: number): Promise<number[]> {
    let range = this.held.get(trx);
    if (range === undefined || range[1] - range[0] + 1 < count) {
      const size = Math.max(count, this.chunk);
      const row = (await this.advance.run(trx, { name: this.name, count: size })).rows[0];
      if (row === undefined) throw new Error(`Counter ${this.name} does not exist`);
      const end = Number(row.value);
      range = [end - size + 1, end];
      this.held.set(trx, range);
    }
    const first = range[0];
    range[0] += count;
    return Array.from({ length: count }, (_, i) => first + i);
  }
}
