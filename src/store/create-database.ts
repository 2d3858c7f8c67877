/**
 * The dialect factory: one `DATABASE_URL` picks SQLite (a file path, `sqlite:` URL or `:memory:`; the default)
 * or PostgreSQL (`postgres://` / `postgresql://`). Callers get a `Kysely<Database>` and never branch on dialect.
 * Migrations run here, before the database is handed out, so every process sees the current schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import SQLite from 'better-sqlite3';
import {
  DEFAULT_MIGRATION_TABLE,
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
import { registerPostgresPool, registerSqliteConnection, registerSqliteReader } from './prepared-query.ts';
import type { Database } from './schema.ts';

export const DEFAULT_DATABASE_URL = 'data/signet.db';

export type Store = Kysely<Database>;

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export function sqlitePath(url: string): string {
  return url.replace(/^sqlite:(\/\/)?/i, '') || DEFAULT_DATABASE_URL;
}

function openSqlite(url: string, onStatement?: (sql: string) => void): SQLite.Database {
  const path = sqlitePath(url);
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new SQLite(
    path,
    onStatement === undefined ? {} : { verbose: (sql) => onStatement(String(sql)) },
  );
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

function openSqliteReader(path: string): SQLite.Database {
  const db = new SQLite(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return db;
}

// PostgreSQL returns BIGINT (int8) as a string; our bigint columns hold millisecond times and ids that fit in a
// double exactly. Amount columns are read as text explicitly by the code that uses them.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * Kysely's SQLite driver calls `prepare()` for every query, and preparing costs more than running a simple indexed
 * lookup. Statements are reusable, so hand Kysely a database whose `prepare()` remembers them (bounded).
 */
function withStatementCache(
  db: SQLite.Database,
  options: { max?: number; alsoClose?: SQLite.Database } = {},
): SQLite.Database {
  const max = options.max ?? 500;
  const statements = new Map<string, SQLite.Statement>();
  return new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'close' && options.alsoClose !== undefined) {
        const reader = options.alsoClose;
        return () => {
          if (reader.open) reader.close();
          return target.close();
        };
      }
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

/** Connections per process (SIGNET_PG_POOL_SIZE, default 10): one per query in flight. */
function postgresPoolSize(env: NodeJS.ProcessEnv = process.env): number {
  const size = Number(env.SIGNET_PG_POOL_SIZE ?? 10);
  return Number.isInteger(size) && size > 0 ? size : 10;
}

export interface DatabaseOptions {
  /**
   * Told the SQL of every statement the process's connections run (tests count an order group's statements with
   * it): better-sqlite3's `verbose` hook on SQLite, each pooled client's `query` on PostgreSQL. Unset in service.
   */
  readonly onStatement?: (sql: string) => void;
}

export function createDatabase(url: string = DEFAULT_DATABASE_URL, options: DatabaseOptions = {}): Store {
  const { onStatement } = options;
  if (isPostgresUrl(url)) {
    const pool = new pg.Pool({ connectionString: url, max: postgresPoolSize() });
    if (onStatement !== undefined) {
      pool.on('connect', (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        client.query = ((...args: unknown[]) => {
          const first = args[0];
          onStatement(typeof first === 'string' ? first : String((first as { text?: unknown }).text));
          return query(...args);
        }) as typeof client.query;
      });
    }
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    registerPostgresPool(db.getExecutor().adapter, pool);
    return db;
  }
  const writer = openSqlite(url, onStatement);
  // A file gets a second, read-only connection for prepared reads outside transactions (prepared-query.ts),
  // closed with the first.
  const reader = writer.memory ? undefined : openSqliteReader(writer.name);
  const connection = withStatementCache(writer, { alsoClose: reader });
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: connection }) });
  registerSqliteConnection(db.getExecutor().adapter, connection);
  if (reader !== undefined) registerSqliteReader(db.getExecutor().adapter, withStatementCache(reader));
  return db;
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * The migrator of `db`. On PostgreSQL the migration tables live in the connection's own schema, named
 * explicitly: unnamed, Kysely looks for them in every schema of the database and skips creating its lock table
 * when another schema (another Signet, another test) already has one, then fails with "relation
 * kysely_migration_lock does not exist".
 */
export async function createMigrator(db: Kysely<unknown> | Store): Promise<Migrator> {
  const migrationTableSchema =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
      : undefined;
  return new Migrator({ db: db as Kysely<unknown>, provider, migrationTableSchema });
}

export interface SchemaStatus {
  /** Migrations this version knows that the database has not run. */
  pending: string[];
  /** Migrations the database has run that this version does not know: the schema is newer than the code. */
  unknown: string[];
}

/** Compares the database's applied migrations with the ones this version of Signet ships. */
export async function readSchemaStatus(db: Store): Promise<SchemaStatus> {
  const applied = (await hasMigrationTable(db))
    ? (
        await sql<{ name: string }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db)
      ).rows.map((row) => row.name)
    : [];
  const known = Object.keys(MIGRATIONS);
  return {
    pending: known.filter((name) => !applied.includes(name)),
    unknown: applied.filter((name) => !known.includes(name)).sort(),
  };
}

/** Whether the migration table exists where this connection's queries look (PostgreSQL: its search_path). */
async function hasMigrationTable(db: Store): Promise<boolean> {
  const query =
    db.getExecutor().adapter instanceof PostgresAdapter
      ? sql<{ present: unknown }>`select to_regclass(${DEFAULT_MIGRATION_TABLE}) is not null as present`
      : sql<{ present: unknown }>`select count(*) as present from sqlite_master
          where type = 'table' and name = ${DEFAULT_MIGRATION_TABLE}`;
  const { rows } = await query.execute(db);
  return rows[0]?.present === true || Number(rows[0]?.present) > 0;
}

/** Thrown when the database was migrated by a newer Signet: running older code on it could corrupt it. */
export class NewerSchemaError extends Error {
  constructor(readonly unknown: string[]) {
    super(
      `The database schema is newer than this version of Signet (it has migration ${unknown.join(', ')}, ` +
        'which this version does not know). Upgrade Signet on this node, or point it at another database.',
    );
  }
}

/**
 * Brings the schema up to date, after refusing a schema newer than this code. On PostgreSQL several nodes may
 * start at once: a session advisory lock (held on one connection while the migrator uses the others) makes them
 * run the migrations one after the other, so the first applies them and the others find nothing to do. The lock
 * is keyed by schema, so nodes of different schemas in one database do not wait for each other.
 */
export async function migrateToLatest(db: Store): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.connection().execute(async (connection) => {
      const key = sql`hashtext('signet-migrate:' || current_schema())`;
      await sql`select pg_advisory_lock(${key})`.execute(connection);
      try {
        // Kysely looks for its migration tables in every schema of the database unless told which one: with
        // several Signet schemas in one database it would find another schema's table and skip creating its own.
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(connection);
        await migrateUnlocked(db, rows[0]?.schema);
      } finally {
        await sql`select pg_advisory_unlock(${key})`.execute(connection);
      }
    });
    return;
  }
  await migrateUnlocked(db);
}

async function migrateUnlocked(db: Store, migrationTableSchema?: string): Promise<void> {
  const status = await readSchemaStatus(db);
  if (status.unknown.length > 0) throw new NewerSchemaError(status.unknown);
  if (status.pending.length === 0) return;
  const { error, results } = await new Migrator({ db, provider, migrationTableSchema }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`,
    );
  }
}

/** Opens the database named by `url` and brings its schema up to date. */
export async function openStore(
  url: string = DEFAULT_DATABASE_URL,
  options: DatabaseOptions = {},
): Promise<Store> {
  const db = createDatabase(url, options);
  try {
    await migrateToLatest(db);
  } catch (error) {
    // Close the pool, or its idle connections keep a failed process alive.
    await db.destroy().catch(() => {});
    throw error;
  }
  return db;
}
