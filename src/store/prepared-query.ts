/**
 * Queries built with Kysely once and run many times: building a query costs ~50 us, running a cached SQLite
 * statement a few. `prepareQuery()` builds the query with named placeholders, compiles it, and remembers which
 * parameter position holds which name; `run()` binds values by name and hands the compiled SQL to the driver.
 *
 * Invariant: every parameter of the compiled query must come from `param()`; a literal value baked in by the
 * builder would be reused silently, so it is rejected at preparation time.
 * Works on any executor (a Kysely instance or a transaction) and any dialect: only the SQL text differs.
 */
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';

const MARK = '\u0000param:';

/** Anything that runs a compiled query: a Kysely instance or a transaction, of any database type. */
export interface QueryExecutor {
  executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>>;
}

export interface PreparedQuery<R, P extends string> {
  readonly sql: string;
  run(executor: QueryExecutor, values: Readonly<Record<P, unknown>>): Promise<QueryResult<R>>;
}

/**
 * `build` receives `param(name)`, which returns a placeholder to put wherever a value goes (typed `never` so it
 * fits any column). Example: `prepareQuery((p) => db.selectFrom('t').selectAll().where('id', '=', p('id')))`.
 */
export function prepareQuery<R, P extends string>(
  build: (param: (name: P) => never) => Compilable<R>,
): PreparedQuery<R, P> {
  const compiled = build((name) => `${MARK}${name}` as never).compile();
  const names = compiled.parameters.map((value) => {
    if (typeof value !== 'string' || !value.startsWith(MARK)) {
      throw new Error(`prepareQuery: a literal parameter was compiled into: ${compiled.sql}`);
    }
    return value.slice(MARK.length) as P;
  });
  return {
    sql: compiled.sql,
    run: (executor, values) => {
      const parameters = names.map((name) => values[name]);
      const query: CompiledQuery<R> = { ...compiled, parameters };
      return executor.executeQuery(query);
    },
  };
}
