/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * Two-factor recovery (issue 21.11):
 *
 * - `totp_recovery_codes`: ten single-use codes per user, made when 2FA is turned on (or regenerated), stored as
 *   SHA-256 hashes only; `used_at` is set when one is spent. Removed with 2FA.
 * - `users.api_withdrawals_paused_until`: after 2FA is turned off, the user's API withdrawals are refused until
 *   this time (epoch ms); null when never paused.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('totp_recovery_codes')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addPrimaryKeyConstraint('totp_recovery_codes_pk', ['user_id', 'code_hash'])
    .execute();
  await db.schema.alterTable('users').addColumn('api_withdrawals_paused_until', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('api_withdrawals_paused_until').execute();
  await db.schema.dropTable('totp_recovery_codes').execute();
}
