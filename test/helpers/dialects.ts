/**
 * Store tests loop over both dialects: a fresh SQLite file, and a fresh schema in the local PostgreSQL's `test`
 * database (127.0.0.1:5432, trust auth; PG_TEST_URL overrides). Each run gets its own schema, dropped afterwards.
 * Without a reachable PostgreSQL, createPostgresDatabase() reports the calling test as skipped (see
 * requirements.ts), so every `DIALECTS` loop runs its SQLite variant and skips the PostgreSQL one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';

import { PG_TEST_URL, POSTGRES, skipWithout } from './requirements.ts';

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string;
  drop: () => Promise<void>;
}

export async function createSqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-store-'));
  return {
    name: 'sqlite',
    url: join(dir, 'store.db'),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Call it from a test or a beforeEach: without PostgreSQL it skips that test (a beforeAll would throw). */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  skipWithout(POSTGRES);
  const schema = `signet_test_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = new pg.Client({ connectionString: PG_TEST_URL });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(PG_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    name: 'postgres',
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_TEST_URL });
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
