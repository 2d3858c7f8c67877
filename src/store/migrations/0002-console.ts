/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * The console's state: browser sessions (only a SHA-256 hash of each token is stored), login throttling counters
 * (in the database so every process sees the same counts), and the last TOTP time step each user has spent.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // SHA-256 (hex) of the random cookie token: a leaked table cannot be replayed as cookies.
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    // Absolute end of the session; the idle limit is checked against last_seen_at.
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('login_throttle')
    // 'account:<normalized email>' or 'ip:<address>'.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failure_at', 'bigint', (c) => c.notNull())
    .execute();

  // The TOTP time step of the last accepted code, so a code can be used once only.
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
  await db.schema.dropTable('login_throttle').execute();
  await db.schema.dropTable('sessions').execute();
}
