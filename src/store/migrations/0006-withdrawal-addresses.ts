/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * The withdrawal address book: per account (user), the addresses its API keys may withdraw to.
 *
 * `address_key` is the address in the form it is compared in (lower case where the chain ignores case), so one
 * address cannot be listed twice under two spellings. `active_at` is when the address takes effect (added +
 * cooling-off); `api_allowed_at` is when API withdrawals to it take effect, null while it needs 2FA.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('withdrawal_addresses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('blockchain', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('address_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('active_at', 'bigint', (c) => c.notNull())
    .addColumn('api_allowed_at', 'bigint')
    .addUniqueConstraint('withdrawal_addresses_unique', ['user_id', 'blockchain', 'address_key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('withdrawal_addresses').execute();
}
