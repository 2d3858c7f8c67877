/**
 * Frozen in time: never import application code here, never edit after release; add a new migration instead.
 * SQLite only (PostgreSQL keeps its tables as they are): cheaper row layouts for the tables every order writes.
 *
 * - `orders.id` and `trades.id` become INTEGER PRIMARY KEY, SQLite's alias of the rowid. Declared BIGINT, the key
 *   was a second B-tree beside the table that every insert and every maker update had to maintain.
 * - `ledger_entries` and `balances` become WITHOUT ROWID: their keys (text id; subaccount and asset) are then the
 *   table itself, one B-tree instead of a rowid table plus a unique index, so a balance read or update is one
 *   search instead of two.
 *
 * Each table is rebuilt the way SQLite documents for schema changes ALTER TABLE cannot make: create the new
 * table from the stored CREATE statement with the one change, copy the rows, drop the old one (and its indexes),
 * rename, and create the same indexes again from their stored statements. Runs inside the migration transaction.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

interface Rebuild {
  readonly table: string;
  /** The new CREATE TABLE statement from the stored one. */
  readonly change: (create: string) => string;
}

const INTEGER_ID = /"id" bigint primary key/i;
const BIGINT_ID = /"id" integer primary key/i;
const WITHOUT_ROWID = /\)\s*without rowid\s*$/i;

const UP: Rebuild[] = [
  { table: 'orders', change: (create) => replaceOnce(create, INTEGER_ID, '"id" integer primary key') },
  { table: 'trades', change: (create) => replaceOnce(create, INTEGER_ID, '"id" integer primary key') },
  { table: 'ledger_entries', change: (create) => `${create} without rowid` },
  { table: 'balances', change: (create) => `${create} without rowid` },
];

const DOWN: Rebuild[] = [
  { table: 'orders', change: (create) => replaceOnce(create, BIGINT_ID, '"id" bigint primary key') },
  { table: 'trades', change: (create) => replaceOnce(create, BIGINT_ID, '"id" bigint primary key') },
  { table: 'ledger_entries', change: (create) => replaceOnce(create, WITHOUT_ROWID, ')') },
  { table: 'balances', change: (create) => replaceOnce(create, WITHOUT_ROWID, ')') },
];

export async function up(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  for (const rebuild of UP) await rebuildTable(db, rebuild);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (!isSqlite(db)) return;
  for (const rebuild of DOWN) await rebuildTable(db, rebuild);
}

function isSqlite(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

async function rebuildTable(db: Kysely<unknown>, { table, change }: Rebuild): Promise<void> {
  const stored = await sql<{ type: string; sql: string }>`
    select type, sql from sqlite_master where tbl_name = ${table} and sql is not null order by type desc
  `.execute(db);
  const create = stored.rows.find((row) => row.type === 'table')?.sql;
  if (create === undefined) throw new Error(`Table ${table} does not exist`);
  const indexes = stored.rows.filter((row) => row.type === 'index').map((row) => row.sql);
  const temporary = `${table}_rebuilt`;
  const createTemporary = replaceOnce(change(create), new RegExp(`^create table "${table}"`, 'i'), '');
  await sql.raw(`create table "${temporary}"${createTemporary}`).execute(db);
  await sql`insert into ${sql.table(temporary)} select * from ${sql.table(table)}`.execute(db);
  await sql`drop table ${sql.table(table)}`.execute(db);
  await sql`alter table ${sql.table(temporary)} rename to ${sql.table(table)}`.execute(db);
  for (const index of indexes) await sql.raw(index).execute(db);
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`Unexpected table definition: ${text}`);
  return text.replace(pattern, () => replacement);
}
