/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * The exchange: counters (Backpack-visible numeric ids and per-market sequences), balances and their ledger,
 * orders, trades, deposits and withdrawals.
 *
 * Amounts are BIGINT integers of the asset's smallest unit (decimals from config/markets.json). The application
 * writes them as decimal strings and reads them back with `cast(... as text)`, never through a JS number.
 * Balances carry a CHECK (no negative column) as the last line of defence behind the guarded updates.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Named counters: 'order', 'trade', 'deposit', 'withdrawal' hand out ids; 'market:<SYMBOL>' rows are the
  // per-market sequences every order and cancel increments inside its transaction (inserted at start-up).
  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .execute();
  await db
    .insertInto('counters' as never)
    .values(['order', 'trade', 'deposit', 'withdrawal'].map((name) => ({ name, value: 0 })) as never)
    .execute();

  // One row per (subaccount, asset). The fee account (a system id, not a subaccount) has rows here too.
  await db.schema
    .createTable('balances')
    .addColumn('subaccount_id', 'text', (c) => c.notNull())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('available', 'bigint', (c) => c.notNull())
    .addColumn('locked', 'bigint', (c) => c.notNull())
    .addColumn('staked', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('balances_pk', ['subaccount_id', 'asset'])
    .addCheckConstraint('balances_non_negative', sql`available >= 0 and locked >= 0 and staked >= 0`)
    .execute();

  // Every balance change, written in the same transaction as the change. id = '<reference>:<n>', so the same
  // deposit, order or cancel can never be applied twice.
  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subaccount_id', 'text', (c) => c.notNull())
    .addColumn('asset', 'text', (c) => c.notNull())
    .addColumn('available_delta', 'bigint', (c) => c.notNull())
    .addColumn('locked_delta', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // No secondary index: entries are written on every order and read only by audits (full scans). A statement
  // view per account can add one in a later migration.

  await db.schema
    .createTable('orders')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('subaccount_id', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('side', 'text', (c) => c.notNull())
    .addColumn('order_type', 'text', (c) => c.notNull())
    .addColumn('time_in_force', 'text', (c) => c.notNull())
    .addColumn('post_only', 'integer', (c) => c.notNull())
    .addColumn('self_trade_prevention', 'text', (c) => c.notNull())
    .addColumn('client_id', 'bigint')
    .addColumn('price', 'bigint')
    .addColumn('quantity', 'bigint')
    .addColumn('quote_quantity', 'bigint')
    .addColumn('executed_quantity', 'bigint', (c) => c.notNull())
    .addColumn('executed_quote_quantity', 'bigint', (c) => c.notNull())
    // What still rests on the book (0 once the order left it).
    .addColumn('remaining', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('expiry_reason', 'text')
    // 1 while the order rests on the book: books are rebuilt from these rows.
    .addColumn('is_open', 'integer', (c) => c.notNull())
    .addColumn('created_seq', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  // Partial indexes over resting orders only: an order that never rests (a filled taker) never touches them.
  await db.schema
    .createIndex('orders_book_idx')
    .on('orders')
    .column('symbol')
    .where(sql.ref('is_open'), '=', 1)
    .execute();
  await db.schema
    .createIndex('orders_open_idx')
    .on('orders')
    .columns(['subaccount_id', 'symbol'])
    .where(sql.ref('is_open'), '=', 1)
    .execute();
  await db.schema
    .createIndex('orders_history_idx')
    .on('orders')
    .columns(['subaccount_id', 'created_at'])
    .execute();

  // One row per trade; each side reads its fills through the maker/taker subaccount indexes.
  await db.schema
    .createTable('trades')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('price', 'bigint', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('quote_quantity', 'bigint', (c) => c.notNull())
    .addColumn('taker_side', 'text', (c) => c.notNull())
    .addColumn('maker_order_id', 'bigint', (c) => c.notNull())
    .addColumn('taker_order_id', 'bigint', (c) => c.notNull())
    .addColumn('maker_subaccount_id', 'text', (c) => c.notNull())
    .addColumn('taker_subaccount_id', 'text', (c) => c.notNull())
    .addColumn('maker_client_id', 'bigint')
    .addColumn('taker_client_id', 'bigint')
    .addColumn('maker_fee', 'bigint', (c) => c.notNull())
    .addColumn('taker_fee', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('trades_symbol_idx').on('trades').columns(['symbol', 'created_at']).execute();
  await db.schema
    .createIndex('trades_maker_idx')
    .on('trades')
    .columns(['maker_subaccount_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('trades_taker_idx')
    .on('trades')
    .columns(['taker_subaccount_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('deposits')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('subaccount_id', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('blockchain', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('to_address', 'text')
    .addColumn('from_address', 'text')
    .addColumn('transaction_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('deposits_account_idx')
    .on('deposits')
    .columns(['subaccount_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('withdrawals')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('subaccount_id', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('blockchain', 'text', (c) => c.notNull())
    .addColumn('quantity', 'bigint', (c) => c.notNull())
    .addColumn('fee', 'bigint', (c) => c.notNull())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('transaction_hash', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('withdrawals_account_idx')
    .on('withdrawals')
    .columns(['subaccount_id', 'created_at'])
    .execute();
  await db.schema.createIndex('withdrawals_status_idx').on('withdrawals').columns(['status', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'withdrawals',
    'deposits',
    'trades',
    'orders',
    'ledger_entries',
    'balances',
    'counters',
  ])
    await db.schema.dropTable(table).execute();
}
