/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * Key controls: permissions, IP allowlists, expiry, and per-key usage counters.
 *
 * - `api_keys.permissions`: bit mask, read = 1, trade = 2, withdraw = 4. Existing keys keep what they could do:
 *   read-only keys become `read` (1), every other key `read + trade + withdraw` (7). `read_only` stays, kept equal
 *   to `permissions = 1` by the application, for older readers of the table.
 * - `api_keys.allowed_ips`: comma-separated canonical IPv4/IPv6 addresses and CIDR ranges; null = any address.
 * - `api_keys.expires_at`: the first millisecond at which the key stops working; null = never.
 * - `api_key_usage`: one row per key per minute (`minute` = start of the minute in ms) with request counts by
 *   outcome, written in batches by an upsert that adds to the counts.
 * - `api_key_refusals`: a sample of recent refused requests per key (what the console lists as "recent refusals").
 */
import { sql, type Kysely } from 'kysely';

const COUNTERS = ['ok', 'invalid_key', 'expired_window', 'bad_signature', 'ip_not_allowed', 'permission'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_keys')
    .addColumn('permissions', 'integer', (c) => c.notNull().defaultTo(7))
    .execute();
  await db.schema.alterTable('api_keys').addColumn('allowed_ips', 'text').execute();
  await db.schema.alterTable('api_keys').addColumn('expires_at', 'bigint').execute();
  await sql`update api_keys set permissions = 1 where read_only = 1`.execute(db);

  let usage = db.schema
    .createTable('api_key_usage')
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('minute', 'bigint', (c) => c.notNull());
  for (const column of COUNTERS) usage = usage.addColumn(column, 'integer', (c) => c.notNull().defaultTo(0));
  await usage.addPrimaryKeyConstraint('api_key_usage_pk', ['key_id', 'minute']).execute();
  await db.schema.createIndex('api_key_usage_minute_idx').on('api_key_usage').column('minute').execute();

  await db.schema
    .createTable('api_key_refusals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('instruction', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('api_key_refusals_key_idx')
    .on('api_key_refusals')
    .columns(['key_id', 'at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('api_key_refusals').execute();
  await db.schema.dropTable('api_key_usage').execute();
  // read_only was kept in step with permissions, so dropping the new columns loses nothing older code reads.
  await db.schema.alterTable('api_keys').dropColumn('expires_at').execute();
  await db.schema.alterTable('api_keys').dropColumn('allowed_ips').execute();
  await db.schema.alterTable('api_keys').dropColumn('permissions').execute();
}
