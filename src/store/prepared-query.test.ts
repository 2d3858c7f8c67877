/**
 * Prepared queries answer as Kysely does, on both dialects, and on SQLite the direct road inside transactions
 * runs on the transaction itself (rolled back with it) while queries outside it still wait for it to end.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DIALECTS, type TestDatabase } from '../../test/helpers/dialects.ts';
import { openStore, type Store } from './create-database.ts';
import { isUniqueViolation } from './errors.ts';
import { prepareInsertRows, prepareQuery } from './prepared-query.ts';

describe.each(DIALECTS)('prepared queries on %s', (_name, create) => {
  let database: TestDatabase;
  let db: Store;
  beforeEach(async () => {
    database = await create();
    db = await openStore(database.url);
  });
  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  const counters = () =>
    prepareQuery<{ name: string; value: number }, 'prefix'>((p) =>
      db.selectFrom('counters').select(['name', 'value']).where('name', 'like', p('prefix')).orderBy('name'),
    );
  const bump = () =>
    prepareQuery<never, 'name' | 'by'>((p) =>
      db
        .updateTable('counters')
        .set({ value: sql`value + ${p('by')}` })
        .where('name', '=', p('name')),
    );
  const insertRows = (count: number) => prepareInsertRows(db, 'counters', ['name', 'value'], count);

  it('reads, counts changed rows and inserts many rows, in and out of transactions alike', async () => {
    const read = counters();
    await db.transaction().execute(async (trx) => {
      await insertRows(2).run(trx, ['t:a', 1, 't:b', 2]);
      const changed = await bump().run(trx, { name: 't:a', by: 10 });
      expect(changed.numAffectedRows).toBe(1n);
      expect((await bump().run(trx, { name: 't:none', by: 1 })).numAffectedRows).toBe(0n);
      expect((await read.run(trx, { prefix: 't:%' })).rows).toEqual([
        { name: 't:a', value: 11 },
        { name: 't:b', value: 2 },
      ]);
    });
    expect((await read.run(db, { prefix: 't:%' })).rows).toEqual([
      { name: 't:a', value: 11 },
      { name: 't:b', value: 2 },
    ]);
  });

  it('rejects with the driver error a caller can classify, and rolls back with the transaction', async () => {
    await insertRows(1).run(db, ['t:dup', 0]);
    const failed = await db
      .transaction()
      .execute(async (trx) => {
        await insertRows(1).run(trx, ['t:kept-until-rollback', 0]);
        await insertRows(1).run(trx, ['t:dup', 0]);
      })
      .catch((error: unknown) => error);
    expect(isUniqueViolation(failed)).toBe(true);
    expect((await counters().run(db, { prefix: 't:%' })).rows).toEqual([{ name: 't:dup', value: 0 }]);
  });

  it('keeps queries outside a transaction out of it until it commits', async () => {
    const read = counters();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const transaction = db.transaction().execute(async (trx) => {
      await insertRows(1).run(trx, ['t:uncommitted', 0]);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const outside = read.run(db, { prefix: 't:%' });
    const seenBeforeCommit = await Promise.race([
      outside.then(({ rows }) => rows.map((row) => row.name)),
      new Promise((resolve) => setTimeout(() => resolve('still waiting or not visible'), 50)),
    ]);
    // SQLite serializes on its one connection (the read waits); PostgreSQL reads the committed state.
    expect(
      seenBeforeCommit === 'still waiting or not visible' || (seenBeforeCommit as string[]).length === 0,
    ).toBe(true);
    release();
    await transaction;
    expect((await read.run(db, { prefix: 't:%' })).rows.map((row) => row.name)).toEqual(['t:uncommitted']);
  });

  it('refuses a literal compiled into a prepared query, and values that do not fill the rows', async () => {
    expect(() =>
      prepareQuery(() => db.selectFrom('counters').selectAll().where('name', '=', 'literal')),
    ).toThrow(/literal parameter/);
    await expect(
      db.transaction().execute((trx) => insertRows(2).run(trx, ['t:only-one-row', 1])),
    ).rejects.toThrow();
    expect((await counters().run(db, { prefix: 't:%' })).rows).toEqual([]);
  });
});
