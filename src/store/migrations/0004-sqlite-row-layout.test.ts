/**
 * The SQLite table rebuild keeps every row and index, changes only the key layout, and can be undone;
 * on PostgreSQL it changes nothing.
 */
import { sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import {
  createPostgresDatabase,
  createSqliteDatabase,
  type TestDatabase,
} from '../../../test/helpers/dialects.ts';
import { createDatabase, createMigrator, type Store } from '../create-database.ts';
import { MIGRATIONS } from './index.ts';

const migratorFor = (db: Kysely<unknown>) => createMigrator(db, { getMigrations: async () => MIGRATIONS });

async function migrateTo(db: Store, name: string): Promise<void> {
  const { error } = await (await migratorFor(db as Kysely<unknown>)).migrateTo(name);
  if (error) throw error;
}

async function seed(db: Store): Promise<void> {
  await db
    .insertInto('orders')
    .values({
      id: 9007199254740000,
      subaccount_id: 'sub_a',
      symbol: 'SOL_USDC',
      side: 'Bid',
      order_type: 'Limit',
      time_in_force: 'GTC',
      post_only: 0,
      self_trade_prevention: 'RejectTaker',
      client_id: 7,
      price: '1000000',
      quantity: '123456789012345678',
      quote_quantity: null,
      executed_quantity: '0',
      executed_quote_quantity: '0',
      remaining: '123456789012345678',
      status: 'New',
      expiry_reason: null,
      is_open: 1,
      created_seq: 3,
      created_at: 1,
      updated_at: 2,
    })
    .execute();
  await db
    .insertInto('trades')
    .values({
      id: 41,
      symbol: 'SOL_USDC',
      price: '1000000',
      quantity: '5',
      quote_quantity: '5',
      taker_side: 'Ask',
      maker_order_id: 9007199254740000,
      taker_order_id: 2,
      maker_subaccount_id: 'sub_a',
      taker_subaccount_id: 'sub_b',
      maker_client_id: 7,
      taker_client_id: null,
      maker_fee: '0',
      taker_fee: '1',
      created_at: 3,
    })
    .execute();
  await db
    .insertInto('balances')
    .values({
      subaccount_id: 'sub_b',
      asset: 'SOL',
      available: '123456789012345678',
      locked: '5',
      staked: '0',
      updated_at: 3,
    })
    .execute();
  await db
    .insertInto('ledger_entries')
    .values({
      id: 'order:2:0',
      subaccount_id: 'sub_b',
      asset: 'SOL',
      available_delta: '-5',
      locked_delta: '0',
      reason: 'order',
      created_at: 3,
    })
    .execute();
}

async function snapshot(db: Store) {
  const tables = await sql<{ name: string; sql: string }>`
    select name, sql from sqlite_master
    where tbl_name in ('orders', 'trades', 'ledger_entries', 'balances') and sql is not null order by name
  `.execute(db);
  const orders = await db
    .selectFrom('orders')
    .select(['id', sql<string>`cast(quantity as text)`.as('quantity'), 'is_open'])
    .execute();
  const trades = await db.selectFrom('trades').select(['id', 'maker_order_id']).execute();
  const entries = await db.selectFrom('ledger_entries').select(['id', 'available_delta']).execute();
  const balances = await db
    .selectFrom('balances')
    .select(['subaccount_id', 'asset', sql<string>`cast(available as text)`.as('available'), 'locked'])
    .execute();
  return {
    schema: Object.fromEntries(tables.rows.map((r) => [r.name, r.sql])),
    orders,
    trades,
    entries,
    balances,
  };
}

describe('migration 0004 (SQLite row layout)', () => {
  let database: TestDatabase;
  let db: Store;
  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  it('rebuilds orders, trades, ledger_entries and balances with their rows and indexes, and back', async () => {
    database = await createSqliteDatabase();
    db = createDatabase(database.url);
    await migrateTo(db, '0003-exchange');
    await seed(db);
    const before = await snapshot(db);

    await migrateTo(db, '0004-sqlite-row-layout');
    const after = await snapshot(db);
    expect(after.orders).toEqual(before.orders);
    expect(after.trades).toEqual(before.trades);
    expect(after.entries).toEqual(before.entries);
    expect(after.balances).toEqual(before.balances);
    expect(Object.keys(after.schema)).toEqual(Object.keys(before.schema));
    expect(after.schema['orders']).toContain('"id" integer primary key');
    expect(after.schema['trades']).toContain('"id" integer primary key');
    expect(after.schema['ledger_entries']).toMatch(/without rowid$/);
    expect(after.schema['balances']).toMatch(/check \(.*\)\) without rowid$/);
    expect(Object.keys(after.schema)).toContain('orders_history_idx');
    // The ledger id is still unique: the same cause can never be applied twice.
    await expect(
      db
        .insertInto('ledger_entries')
        .values({ id: 'order:2:0', subaccount_id: 'x', asset: 'SOL', ...ZERO_ENTRY })
        .execute(),
    ).rejects.toThrow(/UNIQUE/);

    const { error } = await (await migratorFor(db as Kysely<unknown>)).migrateDown();
    if (error) throw error;
    expect(await snapshot(db)).toEqual(before);
  });

  it('leaves PostgreSQL tables as they are', async () => {
    database = await createPostgresDatabase();
    db = createDatabase(database.url);
    await migrateTo(db, '0003-exchange');
    const columns = () =>
      sql<{ table_name: string; column_name: string; data_type: string }>`
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = current_schema()
          and table_name in ('orders', 'trades', 'ledger_entries', 'balances')
        order by table_name, ordinal_position
      `.execute(db);
    const before = (await columns()).rows;
    await migrateTo(db, '0004-sqlite-row-layout');
    expect((await columns()).rows).toEqual(before);
    expect(before.find((c) => c.table_name === 'orders' && c.column_name === 'id')?.data_type).toBe('bigint');
  });
});

const ZERO_ENTRY = { available_delta: '0', locked_delta: '0', reason: 'order', created_at: 0 };
