/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * Custom permissions: the names an operator declares for gateway routes (SIGNET_ROUTES, docs/GATEWAY.md) that a
 * key holds, beside the built-in bit mask.
 *
 * `api_keys.custom_permissions`: the key's custom permission names, sorted, comma-separated; null for none. Names,
 * not bits: the operator's file may be reordered, shortened or extended at any time, and a name keeps meaning the
 * same permission through all of that, where a bit assigned by position would silently move to another one.
 * Existing keys hold none. The key epoch triggers (0008) fire on any update but last use, so a change here
 * reaches every key cache like any other change.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('custom_permissions', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').dropColumn('custom_permissions').execute();
}
