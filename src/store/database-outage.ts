/**
 * A lost database is an incident, not a crash. This file says which errors mean "the database cannot be reached
 * or written right now" (as opposed to a bad query or a bug), and keeps one episode per outage for each store:
 * the first such error opens it (reported once, not once per request), a probe then checks with back-off
 * whether the database can be written again, and the first success closes it (reported with its length) and
 * tells whoever resynchronises after a reconnect.
 *
 * Requests that meet such an error are answered 503 MAINTENANCE with Retry-After (server/plugins/error-handler.ts);
 * `/readyz` runs the same write probe (server/readiness.ts).
 *
 * PostgreSQL: the pool reconnects by itself, one connection per query; what this adds is the pool's 'error'
 * handler (without it an idle connection that the server ends, by `pg_terminate_backend`, a restart or a
 * failover, throws in the process and ends it) and the write probe, which also refuses a read-only standby.
 * SQLite: the probe takes the write lock and gives it back; a locked, read-only or failing file fails it.
 */
import { PostgresAdapter, sql, type Kysely } from 'kysely';

import type { Database } from './schema.ts';

/** SQLSTATE classes and codes that mean the server, not the query: connection, shutdown, too many, recovery. */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[1-4]|53300|53400|25006)$/;
const NODE_NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
/** pg's own messages for a connection it lost or could not open (they carry no code). */
const PG_CONNECTION_MESSAGE = new RegExp(
  [
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
    'Client was closed and is not queryable',
    'Connection is closed',
  ].join('|'),
  'i',
);
/** SQLite result codes (and their extended forms) of a file that cannot be written now. */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|READONLY|CANTOPEN|IOERR|FULL|PROTOCOL)(_|$)/;

/** Whether `error` means the database cannot be reached or written right now (503), not that the query is wrong. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_')) return SQLITE_UNAVAILABLE.test(code);
    if (POSTGRES_UNAVAILABLE.test(code) || NODE_NETWORK.has(code)) return true;
  }
  return typeof message === 'string' && PG_CONNECTION_MESSAGE.test(message);
}

/**
 * What a log line may say about a database error: its kind, code and message. Never the error object itself:
 * pg attaches the client, whose connection parameters may hold the password.
 */
export function describeDatabaseError(error: unknown): { type: string; code?: string; message: string } {
  const { name, code, message } = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  return {
    type: typeof name === 'string' ? name : 'Error',
    ...(typeof code === 'string' ? { code } : {}),
    message: typeof message === 'string' ? message.split('\n')[0]!.slice(0, 300) : String(error),
  };
}

/** Thrown by the write probe when the database answers but is read-only (a standby after a failover). */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** How long SQLite connections wait for a lock (create-database.ts), and how long the write probe does. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;
const PROBE_BUSY_TIMEOUT_MS = 250;

/** Proves the store can be written now: a transaction id on PostgreSQL, the write lock on SQLite. */
export async function probeWritable(db: Kysely<Database>): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ standby: boolean }>`select pg_is_in_recovery() as standby`.execute(db);
    if (rows[0]?.standby === true) throw new DatabaseUnavailableError('the database is a read-only standby');
    return;
  }
  // A short wait of its own: better-sqlite3 waits for a lock synchronously, and a probe that waited the whole
  // busy timeout would stop the process for that long each time the file is locked; a commit of another worker
  // holds the lock for milliseconds.
  await db.connection().execute(async (connection) => {
    await sql.raw(`pragma busy_timeout = ${PROBE_BUSY_TIMEOUT_MS}`).execute(connection);
    try {
      await sql`begin immediate`.execute(connection);
      await sql`rollback`.execute(connection);
    } finally {
      await sql.raw(`pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).execute(connection);
    }
  });
}

export interface OutageWatcher {
  /** Once per episode, with the error that opened it. */
  down?(error: unknown): void;
  /** Once per episode, when the database can be written again. */
  up?(info: { downMs: number }): void;
}

const FIRST_PROBE_MS = 100;
/** A new failure this soon after a recovery belongs to the same episode (see failed()). */
const FLAP_MS = 2000;
const MAX_PROBE_MS = 5000;

/** One store's outage episodes. */
export class DatabaseOutage {
  private since: number | undefined;
  private recoveredAt: number | undefined;
  private quiet = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private probeDelay = FIRST_PROBE_MS;
  private closed = false;
  private readonly watchers = new Set<OutageWatcher>();

  constructor(
    private readonly probe: () => Promise<void>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether an episode is open (the last thing seen was the database unavailable). */
  get isDown(): boolean {
    return this.since !== undefined;
  }

  watch(watcher: OutageWatcher): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /**
   * Reports an error met while using the store; true when it means the database is unavailable (then the first
   * one of an episode is told to the watchers and the probe starts), false for any other error (not handled).
   */
  failed(error: unknown): boolean {
    if (!isDatabaseUnavailable(error)) return false;
    if (this.since !== undefined || this.closed) return true;
    this.since = this.now();
    this.probeDelay = FIRST_PROBE_MS;
    // A failure right after a recovery (a late error of a connection the outage broke, or a flapping server)
    // continues the episode already told: not told again, nor its end.
    this.quiet = this.recoveredAt !== undefined && this.since - this.recoveredAt < FLAP_MS;
    if (!this.quiet) for (const watcher of this.watchers) watcher.down?.(error);
    this.scheduleProbe();
    return true;
  }

  /** The database was just used or probed successfully: closes an open episode. */
  succeeded(): void {
    if (this.since === undefined) return;
    const downMs = this.now() - this.since;
    this.since = undefined;
    this.recoveredAt = this.now();
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    if (!this.quiet) for (const watcher of this.watchers) watcher.up?.({ downMs });
  }

  close(): void {
    this.closed = true;
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer !== undefined) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      this.probe().then(
        () => this.succeeded(),
        () => {
          if (this.since === undefined) return;
          this.probeDelay = Math.min(this.probeDelay * 2, MAX_PROBE_MS);
          this.scheduleProbe();
        },
      );
    }, this.probeDelay);
    this.probeTimer.unref();
  }
}

/** Episodes by the adapter of the Kysely instance they belong to (one per store, made with it). */
const outages = new WeakMap<object, DatabaseOutage>();

export function registerDatabaseOutage(db: Kysely<Database>, outage: DatabaseOutage): void {
  outages.set(db.getExecutor().adapter, outage);
}

/** The store's outage tracker (one is made for every store by createDatabase; a fresh one otherwise). */
export function databaseOutageOf(db: Kysely<Database>): DatabaseOutage {
  const adapter = db.getExecutor().adapter;
  let outage = outages.get(adapter);
  if (outage === undefined) {
    outage = new DatabaseOutage(() => probeWritable(db));
    outages.set(adapter, outage);
  }
  return outage;
}
