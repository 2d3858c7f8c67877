/**
 * Store tests loop over both dialects: a fresh SQLite file, and a fresh schema in the local PostgreSQL's `test`
 * database (127.0.0.1:5432, trust auth; PG_TEST_URL overrides). Each run gets its own schema, dropped afterwards.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  drop: () => Promise<void>;
}

const PG_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-store-'));
  return {
    name: 'sqlite',
    url: join(dir, 'store.db'),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function createPostgresDatabase(): Promise<TestDatabase> {
  const schema = `signet_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres',
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`drop schema "${schema}" cascade`);
      await client.end();
    },
  };
}

export const DIALECTS = [
  ['sqlite', createSqliteDatabase],
  ['postgres', createPostgresDatabase],
] as const;
