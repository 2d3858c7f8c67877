/**
 * Regression: several Signets (or test runs) in different schemas of one PostgreSQL database. Kysely looked for
 * its migration tables in every schema, so a fresh schema beside a migrated one skipped creating its lock table
 * and failed with `relation "kysely_migration_lock" does not exist`.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { createPostgresDatabase, type TestDatabase } from '../../test/helpers/dialects.ts';
import { openStore, type Store } from './create-database.ts';

describe('migrations on PostgreSQL beside another migrated schema', () => {
  const opened: Array<{ database: TestDatabase; db: Store }> = [];
  afterEach(async () => {
    for (const { database, db } of opened.splice(0)) {
      await db.destroy();
      await database.drop();
    }
  });

  it('migrates a fresh schema while another schema of the database is already migrated', async () => {
    for (let i = 0; i < 2; i += 1) {
      const database = await createPostgresDatabase();
      const db = await openStore(database.url);
      opened.push({ database, db });
    }
    for (const { db } of opened) {
      const tables = await db.introspection.getTables();
      const own = tables.filter((table) => table.name === 'api_keys');
      expect(own.length).toBeGreaterThanOrEqual(1);
    }
  });
});
