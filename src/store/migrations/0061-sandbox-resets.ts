/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * `sandbox_resets`: one row per operator reset of the exchange (`signet reset`, or the SIGNET_RESET_EVERY
 * schedule): when, what was kept, and who asked (`cli` or `schedule`). The newest row tells the makers that the
 * books were emptied under them and the schedule when the next reset is due.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sandbox_resets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('keep_users', 'integer', (c) => c.notNull())
    .addColumn('keep_keys', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sandbox_resets_at').on('sandbox_resets').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sandbox_resets').execute();
}
