/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * The built-in market makers (src/liquidity/) and anything else that must run in exactly one process.
 *
 * - `leases`: one row per job that one process of the deployment runs at a time (`liquidity`: the makers). The
 *   holder renews `expires_at` (ms) every few seconds; any process may take a row whose time has passed. A plain
 *   row with a guarded upsert works the same on SQLite and PostgreSQL (no advisory locks, no session state), and a
 *   holder that dies simply stops renewing.
 * - `operator_accounts`: users the operator's own machinery owns, by role (`liquidity`: the makers' user). Found
 *   by this row, never by email, so a person who signs up with a look-alike address never becomes the makers.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('operator_accounts')
    .addColumn('role', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('operator_accounts').execute();
  await db.schema.dropTable('leases').execute();
}
