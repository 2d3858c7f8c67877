/**
 * The dialect factory: one `DATABASE_URL` picks SQLite (a file path, `sqlite:` URL or `:memory:`; the default)
 * or PostgreSQL (`postgres://` / `postgresql://`). Callers get a `Kysely<Database>` and never branch on dialect.
 * Migrations run here, before the database is handed out, so every process sees the current schema.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  DEFAULT_MIGRATION_TABLE,
  type DatabaseConnection,
  type Driver,
  Kysely,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type MigrationProvider,
  type TransactionSettings,
} from 'kysely';
import pg from 'pg';

import { databaseOutageOf, DatabaseUnavailableError, SQLITE_BUSY_TIMEOUT_MS } from './database-outage.ts';
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

/**
 * Pages of WAL between automatic checkpoints (SQLite's own default). Measured by `bench/wal-checkpoint.ts` (signed
 * crossing orders through the HTTP API, 3 alternating rounds on the shared 2-core machine): 1000 pages gave 1.14x
 * the orders per second of 10000 pages (2000: 1.27x, 4000: 1.17x; the noise is that large), with the WAL at
 * 4.2 MiB instead of 39.6 MiB. Checkpointing more often cost nothing measurable, and bounds the disk the WAL takes.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 1000;
/** What the WAL is truncated to after a checkpoint (bytes). */
export const JOURNAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

function walAutocheckpointPages(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.SIGNET_WAL_AUTOCHECKPOINT?.trim();
  if (text === undefined || text === '') return WAL_AUTOCHECKPOINT_PAGES;
  const pages = Number(text);
  if (!Number.isInteger(pages) || pages < 100 || pages > 1_000_000) {
    throw new Error('SIGNET_WAL_AUTOCHECKPOINT must be a whole number of pages from 100 to 1000000');
  }
  return pages;
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
  // The WAL's size is the disk a node needs beyond its data: checkpoint every WAL_AUTOCHECKPOINT_PAGES and
  // truncate the WAL back to JOURNAL_SIZE_LIMIT after each one, so freeing a few MiB on a full disk lasts (issue
  // 17: with 10000 pages the WAL reached ~40 MB and used 16 MiB freed again in 8 s). SIGNET_WAL_AUTOCHECKPOINT
  // overrides (pages of 4 KiB).
  db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages()}`);
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  db.pragma('foreign_keys = ON');
  // Statement journals (the undo copy of the pages one statement changes, kept so that it can fail alone inside a
  // transaction) and savepoint journals in memory: as temporary files every multi-row insert or guarded update
  // of an order opened, wrote and unlinked a file (~30% of all write calls of the order path).
  db.pragma('temp_store = MEMORY');
  return db;
}

function openSqliteReader(path: string): SQLite.Database {
  const db = new SQLite(path, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
  return db;
}

// PostgreSQL returns BIGINT (int8) as a string; our bigint columns hold millisecond times and ids that fit in a
// double exactly. Amount columns are read as text explicitly by the code that uses them.
pg.types.setTypeParser(20, (value: string) => Number(value));

/**
 * SQLite with write transactions that take the write lock when they begin. Kysely's SQLite driver opens every
 * transaction with a plain (deferred) `begin`: the transaction reads first and asks for the write lock at its
 * first write, and when another process committed in between, SQLite cannot wait (the snapshot the transaction
 * read is gone) and fails at once with SQLITE_BUSY, whatever the busy timeout; with two workers a third of the key
 * revocations failed so. `begin immediate` takes the lock before the first read, and waiting for it honours
 * busy_timeout. Transactions that only read say so (`setAccessMode('read only')`: the audit's snapshot) and stay
 * deferred, so they never hold the write lock.
 */
class ImmediateSqliteDialect extends SqliteDialect {
  override createDriver(): Driver {
    const driver = super.createDriver();
    const begin = (connection: DatabaseConnection, settings: TransactionSettings): Promise<void> =>
      connection
        .executeQuery(CompiledQuery.raw(settings.accessMode === 'read only' ? 'begin' : 'begin immediate'))
        .then(() => undefined);
    // The driver keeps its state in private fields: every other method is called on the driver itself.
    return new Proxy(driver, {
      get(target, property) {
        if (property === 'beginTransaction') return begin;
        const value = Reflect.get(target, property) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }
}

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
        if (sql === 'rollback') return rollbackIfActive(target, statements);
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

/**
 * SQLite rolls a transaction back by itself when a write fails for want of disk space (SQLITE_FULL) or memory;
 * Kysely's ROLLBACK then failed with "cannot rollback - no transaction is active", hiding the error that matters
 * (a full disk answered as an opaque 500 instead of a 503: storage-health.ts). This ROLLBACK does nothing when
 * nothing is left to roll back.
 */
function rollbackIfActive(db: SQLite.Database, statements: Map<string, SQLite.Statement>): SQLite.Statement {
  let rollback = statements.get('rollback');
  if (!rollback) {
    rollback = db.prepare('rollback');
    statements.set('rollback', rollback);
  }
  const statement = rollback;
  return {
    reader: false,
    run: (...parameters: unknown[]) =>
      db.inTransaction ? statement.run(...parameters) : { changes: 0, lastInsertRowid: 0 },
  } as unknown as SQLite.Statement;
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
    const pool = new pg.Pool({
      connectionString: url,
      max: postgresPoolSize(),
      application_name: 'signet',
      // A server that does not answer at all (a dropped route, a hung failover) fails a request within seconds
      // (503) instead of holding it; dead idle connections are found by TCP keep-alive.
      connectionTimeoutMillis: 5000,
      keepAlive: true,
    });
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
    const outage = databaseOutageOf(db);
    // An idle connection the server ended (pg_terminate_backend, a restart, a failover, an idle timeout): the pool
    // drops it and opens another when needed. Without this handler the error would end the process.
    const connectionLost = (error: Error): void => {
      if (!outage.failed(error)) outage.failed(new DatabaseUnavailableError(error.message));
    };
    pool.on('error', connectionLost);
    // The pool listens for errors of idle connections only; one in use (inside a transaction, between two of its
    // statements) that the server ends emits 'error' too, and unheard that also ends the process. Its query
    // fails by itself; the pool discards the connection when it is released.
    pool.on('connect', (client) => client.on('error', connectionLost));
    return db;
  }
  const writer = openSqlite(url, onStatement);
  // A file gets a second, read-only connection for prepared reads outside transactions (prepared-query.ts),
  // closed with the first.
  const reader = writer.memory ? undefined : openSqliteReader(writer.name);
  const connection = withStatementCache(writer, { alsoClose: reader });
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: connection }) });
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
