/**
 * Migrations on a shared database: two nodes started at once against an empty PostgreSQL schema run each
 * migration once and both serve; a node refuses, with a clear error, a schema newer than it knows.
 */

import pg from 'pg';
import { describe, expect, it } from 'vitest';

import { MIGRATIONS } from '../src/store/migrations/index.ts';
import { NewerSchemaError, openStore } from '../src/store/create-database.ts';
import { createPostgresDatabase, DIALECTS } from './helpers/dialects.ts';
import { signetCli } from './helpers/signed-fetch.ts';
import { startSignetProcess } from './helpers/signet-process.ts';

describe('migrations on a shared database', () => {
  it('runs each migration once when two nodes start at once against an empty PostgreSQL schema', async () => {
    const database = await createPostgresDatabase();
    try {
      const nodes = await Promise.all(
        [0, 1].map(() => startSignetProcess({ databaseUrl: database.url, workers: 1, readyPath: '/readyz' })),
      );
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ name: string; count: string }>(
          'select name, count(*) as count from kysely_migration group by name order by name',
        );
        expect(rows.map((r) => r.name)).toEqual(Object.keys(MIGRATIONS));
        expect(rows.every((r) => Number(r.count) === 1)).toBe(true);
        const epoch = await client.query('select count(*) as count from key_epoch');
        expect(Number(epoch.rows[0].count)).toBe(1);
      } finally {
        await client.end();
      }
      for (const node of nodes) expect((await fetch(`${node.url}/readyz`)).status).toBe(200);
      expect(await Promise.all(nodes.map((node) => node.stop()))).toEqual([0, 0]);
    } finally {
      await database.drop();
    }
  }, 90_000);

  describe.each(DIALECTS)('on %s', (_dialect, create) => {
    it('refuses to start against a schema newer than it knows', async () => {
      const database = await create();
      try {
        const db = await openStore(database.url);
        await db
          .insertInto('kysely_migration' as never)
          .values({ name: '9999-from-the-future', timestamp: new Date().toISOString() } as never)
          .execute();
        await db.destroy();

        await expect(openStore(database.url)).rejects.toBeInstanceOf(NewerSchemaError);
        const failure = await signetCli([
          'keys',
          'list',
          '--email',
          'x@example.com',
          '--database',
          database.url,
        ]).then(
          () => undefined,
          (error: { code: number; stderr: string }) => error,
        );
        expect(failure?.code).toBe(1);
        expect(failure?.stderr.trim()).toMatch(
          /^signet: The database schema is newer than this version of Signet \(it has migration 9999-from-the-future/,
        );
        await expect(
          startSignetProcess({ databaseUrl: database.url, workers: 1 }).then((node) => node.stop()),
        ).rejects.toThrow(/schema is newer than this version/);
      } finally {
        await database.drop();
      }
    }, 60_000);
  });
});
