/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * What the key's owner needs to tell a key's states apart, and why its requests were refused.
 *
 * - `api_keys.replaced_by`: the id of the key that replaced this one by rotation; null for a key never rotated.
 *   Filled for earlier rotations from their `api_key.rotated` audit events (`details.keyId` -> `details.newKeyId`),
 *   so keys rotated before this migration show their link too.
 * - `api_key_usage.key_revoked`, `key_expired`, `key_retired`: requests that named a revoked key, a key past its
 *   expiry, and a key whose rotation grace has ended. The caller gets the same `Invalid API key` for all three (and
 *   for an unknown key); only the owner's usage view tells them apart. Rows written before this migration keep
 *   those requests in `invalid_key`.
 */
import { sql, type Kysely } from 'kysely';

const COUNTERS = ['key_revoked', 'key_expired', 'key_retired'];

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('replaced_by', 'text').execute();
  for (const column of COUNTERS) {
    await db.schema
      .alterTable('api_key_usage')
      .addColumn(column, 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  }
  const rotations = await sql<{ details: string }>`
    select details from audit_events where type = 'api_key.rotated' order by created_at
  `.execute(db);
  for (const { details } of rotations.rows) {
    let parsed: { keyId?: unknown; newKeyId?: unknown };
    try {
      parsed = JSON.parse(details) as typeof parsed;
    } catch {
      continue;
    }
    if (typeof parsed.keyId !== 'string' || typeof parsed.newKeyId !== 'string') continue;
    await sql`update api_keys set replaced_by = ${parsed.newKeyId} where id = ${parsed.keyId}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  // Fold the finer counts back into the one column older code reads.
  await sql`
    update api_key_usage set invalid_key = invalid_key + key_revoked + key_expired + key_retired
  `.execute(db);
  for (const column of COUNTERS) await db.schema.alterTable('api_key_usage').dropColumn(column).execute();
  await db.schema.alterTable('api_keys').dropColumn('replaced_by').execute();
}
