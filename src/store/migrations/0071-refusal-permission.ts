/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * A permission refusal's sample names the permission that was missing (`api_key_refusals.permission`). It used to
 * be worked out from the instruction when read, which only Backpack's instructions allow: a gateway route's
 * instruction is the operator's, and its permission may be one of theirs. Older rows keep null (read as before).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_key_refusals').addColumn('permission', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_key_refusals').dropColumn('permission').execute();
}
