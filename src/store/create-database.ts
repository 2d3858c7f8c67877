/**
 * The dialect factory: one `DATABASE_URL` picks SQLite (a file path, `sqlite:` URL or `:memory:`; the default)
 * or PostgreSQL (`postgres://` / `postgresql://`). Callers get a `Kysely<Database>` and never branch on dialect.
 * Migrations run here, before the database is handed out, so every process sees the current schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import SQLite from 'better-sqlite3';
import {
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type MigrationProvider,
} from 'kysely';
import pg from 'pg';

import { MIGRATIONS } from './migrations/index.ts';
import { registerSqliteConnection } from './prepared-query.ts';
import type { Database } from './schema.ts';

export const DEFAULT_DATABASE_URL = 'data/signet.db';

export type Store = Kysely<Database>;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, '') || DEFAULT_DATABASE_URL;
}

function openSqlite(url: string): SQLite.Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new SQLite(path);
  // WAL lets readers (the signed-request path) proceed while a writer commits; busy_timeout makes the CLI and a
  // running server wait for each other's write locks instead of failing with SQLITE_BUSY.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Checkpoint less often (every ~40 MB of WAL instead of ~4 MB): each checkpoint syncs the database file, and
  // on the order path that was a fifth of the time. Readers are unaffected; the WAL is reset after each one.
  db.pragma('wal_autocheckpoint = 10000');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  // Statement journals (the undo copy of the pages one statement changes, kept so that it can fail alone inside a
  // transaction) and savepoint journals in memory: as temporary files every multi-row insert or guarded update
  // of an order opened, wrote and unlinked a file (~30% of all write calls of the order path).
  db.pragma('temp_store = MEMORY');
  return db;
}

// PostgreSQL returns BIGINT (int8) as a string; our bigint columns hold millisecond times and ids that fit in a
// double exactly. Amount columns are read as text explicitly by the code that uses them.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * Kysely's SQLite driver calls `prepare()` for every query, and preparing costs more than running a simple indexed
 * lookup. Statements are reusable, so hand Kysely a database whose `prepare()` remembers them (bounded).
 */
function withStatementCache(db: SQLite.Database, max = 500): SQLite.Database {
  const statements = new Map<string, SQLite.Statement>();
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'prepare') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      return (sql: string): SQLite.Statement => {
        let statement = statements.get(sql);
        if (!statement) {
          statement = target.prepare(sql);
          if (statements.size >= max) statements.delete(statements.keys().next().value as string);
          statements.set(sql, statement);
        }
        return statement;
      };
    },
  });
}

export function createDatabase(url: string = DEFAULT_DATABASE_URL): Store {
  if (isPostgresUrl(url)) {
    return new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 10 }) }),
    });
  }
  const connection = withStatementCache(openSqlite(url));
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  registerSqliteConnection(db.getExecutor().adapter, connection);
  return db;
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * The migrator for `db`. PostgreSQL: it names the schema of the migration tables; without it Kysely looks for them
 * in EVERY schema, so a fresh schema next to another one that has them (tests, several Signets in one database)
 * skips creating them and fails with 'relation "kysely_migration_lock" does not exist'.
 */
export async function createMigrator(
  db: Kysely<unknown>,
  migrations: MigrationProvider = provider,
): Promise<Migrator> {
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({
    db,
    provider: migrations,
    ...(migrationTableSchema === undefined ? {} : { migrationTableSchema }),
  });
}

export async function migrateToLatest(db: Store): Promise<void> {
  const { error, results } = await (await createMigrator(db as Kysely<unknown>)).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
}

/** Opens the database named by `url` and brings its schema up to date. */
export async function openStore(url: string = DEFAULT_DATABASE_URL): Promise<Store> {
  const db = createDatabase(url);
  await migrateToLatest(db);
  return db;
}
