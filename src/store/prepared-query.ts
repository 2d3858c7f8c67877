/**
 * Queries built with Kysely once and run many times: building a query costs ~50 us, running a cached SQLite
 * statement a few. `prepareQuery()` builds the query with named placeholders, compiles it, and remembers which
 * parameter position holds which name; `run()` binds values by name and hands the compiled SQL to the driver.
 *
 * Invariant: every parameter of the compiled query must come from `param()`; a literal value baked in by the
 * builder would be reused silently, so it is rejected at preparation time.
 * Works on any executor (a Kysely instance or a transaction) and any dialect: only the SQL text differs.
 *
 * SQLite transactions take a shorter road: Kysely's executor spends ~5 us per query on top of the ~5 us the
 * statement itself takes, which is most of an order's JS time. Inside a transaction the caller already holds
 * the one connection, so run() steps the cached better-sqlite3 statement itself, exactly as Kysely's SQLite
 * driver would (same results, same errors). Outside transactions queries still go through Kysely, whose
 * connection mutex keeps them out of a transaction in progress.
 */
import { createHash } from 'node:crypto';

import { CompiledQuery, type DialectAdapter, type Kysely, type QueryResult } from 'kysely';

const MARK = '\u0000param:';

/** Anything that runs a compiled query: a Kysely instance or a transaction, of any database type. */
export interface QueryExecutor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
  readonly isTransaction?: boolean;
  getExecutor?(): { readonly adapter: DialectAdapter };
}

export interface PreparedQuery<R, P extends string> {
  readonly sql: string;
  run(executor: QueryExecutor, values: Readonly<Record<P, unknown>>): Promise<QueryResult<R>>;
}

/** The part of a better-sqlite3 database the direct road uses. */
export interface SqliteConnection {
  prepare(sql: string): SqliteStatement;
}

interface SqliteStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): { changes: number; lastInsertRowid: number | bigint };
}

/** What the PostgreSQL road needs of a pg Pool: a query that takes a statement name. */
export interface PostgresPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{
    command: string;
    rowCount: number | null;
    rows: unknown[];
  }>;
}

/** PostgreSQL pools by the adapter of the Kysely instance that owns them. */
const postgresPools = new WeakMap<DialectAdapter, PostgresPool>();

/**
 * Lets prepared queries of the Kysely instance with `adapter` run outside transactions as named (server-side
 * prepared) statements on `pool`: PostgreSQL then parses and plans each one once per connection instead of on
 * every request. Inside transactions they go through Kysely, which holds the transaction's connection.
 */
export function registerPostgresPool(adapter: DialectAdapter, pool: PostgresPool): void {
  postgresPools.set(adapter, pool);
}

/** SQLite connections by the adapter of the Kysely instance that owns them (one connection per instance). */
const sqliteConnections = new WeakMap<DialectAdapter, SqliteConnection>();

/** Lets transactions of the Kysely instance with `adapter` run prepared queries directly on `connection`. */
export function registerSqliteConnection(adapter: DialectAdapter, connection: SqliteConnection): void {
  sqliteConnections.set(adapter, connection);
}

/**
 * Read-only connections to SQLite files by adapter: prepared reads outside transactions run there directly. In WAL
 * mode a second connection reads the last committed state without waiting for the writer, so such a read neither
 * queues behind Kysely's connection mutex (a group commit in progress) nor sees that group's uncommitted rows; and
 * it skips Kysely's executor (~5 us of a ~100 us signed read). In-memory databases have no second connection.
 */
const sqliteReaders = new WeakMap<DialectAdapter, SqliteConnection>();

export function registerSqliteReader(adapter: DialectAdapter, connection: SqliteConnection): void {
  sqliteReaders.set(adapter, connection);
}

/** The better-sqlite3 connection behind a SQLite Kysely instance; undefined for other dialects. */
export function sqliteConnectionOf(executor: QueryExecutor): SqliteConnection | undefined {
  const adapter = executor.getExecutor?.().adapter;
  return adapter === undefined ? undefined : sqliteConnections.get(adapter);
}

/**
 * `build` receives `param(name)`, which returns a placeholder to put wherever a value goes (typed `never` so it
 * fits any column). Example: `prepareQuery((p) => db.selectFrom('t').selectAll().where('id', '=', p('id')))`.
 */
export function prepareQuery<R, P extends string>(
  build: (param: (name: P) => never) => { compile(): CompiledQuery<R> },
): PreparedQuery<R, P> {
  const compiled = build((name) => `${MARK}${name}` as never).compile();
  const names = compiled.parameters.map((value) => {
    if (typeof value !== 'string' || !value.startsWith(MARK)) {
      throw new Error(`prepareQuery: a literal parameter was compiled into: ${compiled.sql}`);
    }
    return value.slice(MARK.length) as P;
  });
  const runner = compiledRunner(compiled);
  return {
    sql: compiled.sql,
    run: (executor, values) =>
      runner(
        executor,
        names.map((name) => values[name]),
      ),
  };
}

/** Multi-row INSERT of a fixed number of rows, prepared once (see prepareInsertRows). */
export interface PreparedRows {
  readonly sql: string;
  /** `values`: every row's values one after the other, each row in the `columns` order. */
  run(executor: QueryExecutor, values: readonly unknown[]): Promise<QueryResult<never>>;
}

/**
 * `insert into <table> (<columns>) values (...), (...)` for `count` rows, compiled once. Rows are passed as one
 * flat array instead of named parameters, which for wide multi-row inserts saves building a name per value.
 */
export function prepareInsertRows<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  columns: readonly (keyof DB[T] & string)[],
  count: number,
): PreparedRows {
  let position = 0;
  const rows = Array.from({ length: count }, () =>
    Object.fromEntries(columns.map((column) => [column, `${MARK}${position++}`])),
  );
  const compiled = db
    .insertInto(table)
    .values(rows as never)
    .compile();
  // The flat array is bound as is: the compiled parameters must be exactly row after row, column after column.
  compiled.parameters.forEach((value, i) => {
    if (value !== `${MARK}${i}`)
      throw new Error(`prepareInsertRows: unexpected parameter order in ${compiled.sql}`);
  });
  if (compiled.parameters.length !== count * columns.length) {
    throw new Error(`prepareInsertRows: expected ${count * columns.length} parameters in ${compiled.sql}`);
  }
  const runner = compiledRunner(compiled as CompiledQuery<never>);
  return { sql: compiled.sql, run: (executor, values) => runner(executor, values) };
}

/**
 * Inserts any number of rows into one table, at most `perStatement` rows per statement, each statement shape
 * prepared once (prepareInsertRows). `valuesOf` appends one row's values, in the `columns` order, to `out`.
 */
export class RowsInsert<DB, T extends keyof DB & string, Row> {
  private readonly prepared = new Map<number, PreparedRows>();

  constructor(
    private readonly db: Kysely<DB>,
    private readonly table: T,
    private readonly columns: readonly (keyof DB[T] & string)[],
    private readonly perStatement: number,
    private readonly valuesOf: (row: Row, out: unknown[]) => void,
  ) {}

  async run(executor: QueryExecutor, rows: readonly Row[]): Promise<void> {
    for (let start = 0; start < rows.length; start += this.perStatement) {
      const end = Math.min(rows.length, start + this.perStatement);
      const values: unknown[] = [];
      for (let i = start; i < end; i += 1) this.valuesOf(rows[i] as Row, values);
      let insert = this.prepared.get(end - start);
      if (insert === undefined) {
        insert = prepareInsertRows(this.db, this.table, this.columns, end - start);
        this.prepared.set(end - start, insert);
      }
      await insert.run(executor, values);
    }
  }
}

/**
 * Runs `compiled` with new parameters: directly on the SQLite connection inside a transaction, on the SQLite reader
 * outside one when it is a read, as a named statement on PostgreSQL outside transactions, else via Kysely.
 */
function compiledRunner<R>(
  compiled: CompiledQuery<R>,
): (executor: QueryExecutor, parameters: readonly unknown[]) => Promise<QueryResult<R>> {
  let statementOf: { connection: SqliteConnection; statement: SqliteStatement } | undefined;
  let readerOf: { connection: SqliteConnection; statement: SqliteStatement | null } | undefined;
  const name = `signet_${createHash('sha1').update(compiled.sql).digest('hex').slice(0, 24)}`;
  return (executor, parameters) => {
    const adapter = executor.isTransaction ? undefined : executor.getExecutor?.().adapter;
    const pool = adapter === undefined ? undefined : postgresPools.get(adapter);
    if (pool !== undefined) return runNamed<R>(pool, name, compiled.sql, parameters);
    const reader = adapter === undefined ? undefined : sqliteReaders.get(adapter);
    if (reader !== undefined) {
      if (readerOf?.connection !== reader)
        readerOf = { connection: reader, statement: readerStatement(reader, compiled.sql) };
      const statement = readerOf.statement;
      if (statement !== null) {
        try {
          return Promise.resolve({ rows: statement.all(parameters) as R[] });
        } catch (error) {
          return Promise.reject(error);
        }
      }
    }
    const connection = executor.isTransaction
      ? sqliteConnections.get(executor.getExecutor?.().adapter as DialectAdapter)
      : undefined;
    if (connection === undefined) return executor.executeQuery({ ...compiled, parameters });
    if (statementOf?.connection !== connection) {
      statementOf = { connection, statement: connection.prepare(compiled.sql) };
    }
    try {
      return Promise.resolve(runStatement<R>(statementOf.statement, parameters));
    } catch (error) {
      return Promise.reject(error);
    }
  };
}

/** The statement on a read-only connection when it only reads; null for a write (it goes through Kysely). */
function readerStatement(connection: SqliteConnection, sqlText: string): SqliteStatement | null {
  try {
    const statement = connection.prepare(sqlText);
    return statement.reader ? statement : null;
  } catch {
    return null; // not preparable read-only: Kysely's road reports what is wrong
  }
}

/** A fixed statement without parameters (`savepoint x`, ...), run the same way. */
export function prepareRaw(sqlText: string): PreparedQuery<never, never> {
  return prepareQuery<never, never>(() => ({
    compile: () => CompiledQuery.raw(sqlText) as CompiledQuery<never>,
  }));
}

/** What Kysely's PostgreSQL driver returns for a statement, from a named one. */
async function runNamed<R>(
  pool: PostgresPool,
  name: string,
  text: string,
  parameters: readonly unknown[],
): Promise<QueryResult<R>> {
  const { command, rowCount, rows } = await pool.query({ name, text, values: [...parameters] });
  const writes = command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE';
  return { numAffectedRows: writes ? BigInt(rowCount ?? 0) : undefined, rows: (rows ?? []) as R[] };
}

/** What Kysely's SQLite driver returns for a statement (rows for readers, counts for writers). */
function runStatement<R>(statement: SqliteStatement, parameters: readonly unknown[]): QueryResult<R> {
  if (statement.reader) return { rows: statement.all(parameters) as R[] };
  const { changes, lastInsertRowid } = statement.run(parameters);
  return {
    numAffectedRows: BigInt(changes),
    insertId: lastInsertRowid === undefined ? undefined : BigInt(lastInsertRowid),
    rows: [],
  };
}
