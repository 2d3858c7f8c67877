/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * Stream events between processes without a server (src/server/streams/sqlite-outbox.ts).
 *
 * - `stream_nodes`: one row per running stream node, its heartbeat (`seen_at`, ms) rewritten every second. A
 *   writer reads it inside its commit to learn whether any other process is there to receive its events.
 * - `stream_outbox`: the market events written inside the commit that made them, read by the other processes
 *   (rows with a larger id than the last seen). Rows live about a minute. The id never goes back, even once
 *   every row was pruned (SQLite AUTOINCREMENT, a PostgreSQL identity), so a reader's cursor stays valid.
 * - `stream_bus`: one row, a random name for this database's Redis channel, so deployments (or test databases)
 *   that share one Redis never receive each other's events.
 * PostgreSQL uses `stream_nodes` and `stream_bus` only (its events travel by NOTIFY); the outbox table exists there unused so
 * both dialects keep one schema.
 */
import { randomUUID } from 'node:crypto';

import { sql, SqliteAdapter, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stream_nodes')
    .addColumn('node', 'text', (c) => c.primaryKey())
    .addColumn('seen_at', 'bigint', (c) => c.notNull())
    .execute();
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  await db.schema
    .createTable('stream_outbox')
    .addColumn('id', sqlite ? 'integer' : 'bigint', (c) =>
      sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
    )
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('symbol', 'text', (c) => c.notNull())
    .addColumn('sequence', 'bigint', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('stream_bus')
    .addColumn('id', 'integer', (c) => c.primaryKey().check(sql`id = 1`))
    .addColumn('channel', 'text', (c) => c.notNull())
    .execute();
  await sql`insert into stream_bus (id, channel) values (1, ${`signet:events:${randomUUID()}`})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('stream_bus').execute();
  await db.schema.dropTable('stream_outbox').execute();
  await db.schema.dropTable('stream_nodes').execute();
}
