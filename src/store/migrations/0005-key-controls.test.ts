/**
 * Migration 0005 keeps what every existing key could do: read-only keys get `read`, all others
 * `read + trade + withdraw`; no allowlist, no expiry. On both dialects, and back down.
 */
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { DIALECTS, type TestDatabase } from '../../../test/helpers/dialects.ts';
import { createDatabase, createMigrator, type Store } from '../create-database.ts';

async function migrateTo(db: Store, name: string): Promise<void> {
  const { error } = await (await createMigrator(db)).migrateTo(name);
  if (error) throw error;
}

describe.each(DIALECTS)('migration 0005 (key controls) on %s', (_name, create) => {
  let database: TestDatabase;
  let db: Store;
  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  it('maps read_only keys to read and the others to read+trade+withdraw, and goes back', async () => {
    database = await create();
    db = createDatabase(database.url);
    await migrateTo(db, '0004-sqlite-row-layout');
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await raw
      .insertInto('users')
      .values({ id: 'usr_1', email: 'a@example.com', password_hash: 'x', created_at: 1 })
      .execute();
    await raw
      .insertInto('subaccounts')
      .values({ id: 'sub_1', user_id: 'usr_1', name: 'Main', number: 0, is_main: 1, created_at: 1 })
      .execute();
    for (const [id, readOnly] of [
      ['key_ro', 1],
      ['key_full', 0],
    ] as const) {
      await raw
        .insertInto('api_keys')
        .values({
          id,
          api_key: `pk-${id}`,
          user_id: 'usr_1',
          subaccount_id: 'sub_1',
          name: id,
          read_only: readOnly,
          key_source: 'server',
          created_at: 1,
        })
        .execute();
    }

    await migrateTo(db, '0005-key-controls');
    const rows = await db
      .selectFrom('api_keys')
      .select(['id', 'read_only', 'permissions', 'allowed_ips', 'expires_at'])
      .orderBy('id')
      .execute();
    expect(rows.map((r) => ({ ...r, permissions: Number(r.permissions) }))).toEqual([
      { id: 'key_full', read_only: 0, permissions: 7, allowed_ips: null, expires_at: null },
      { id: 'key_ro', read_only: 1, permissions: 1, allowed_ips: null, expires_at: null },
    ]);
    expect(await db.selectFrom('api_key_usage').selectAll().execute()).toEqual([]);

    const { error } = await (await createMigrator(db)).migrateDown();
    if (error) throw error;
    const back = await raw.selectFrom('api_keys').selectAll().orderBy('id').execute();
    expect(back.map((r) => Object.keys(r).includes('permissions'))).toEqual([false, false]);
    expect(back.map((r) => r.read_only)).toEqual([0, 1]);
  });
});
