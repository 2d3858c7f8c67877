/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * Per-subaccount account settings set with `PATCH /api/v1/account` (accountUpdate): the few switches Backpack
 * lets a key change. A subaccount without a row has the defaults.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('account_settings')
    .addColumn('subaccount_id', 'text', (c) => c.primaryKey().references('subaccounts.id'))
    .addColumn('auto_borrow_settlements', 'integer', (c) => c.notNull())
    .addColumn('auto_lend', 'integer', (c) => c.notNull())
    .addColumn('auto_realize_pnl', 'integer', (c) => c.notNull())
    .addColumn('auto_repay_borrows', 'integer', (c) => c.notNull())
    .addColumn('leverage_limit', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_settings').execute();
}
