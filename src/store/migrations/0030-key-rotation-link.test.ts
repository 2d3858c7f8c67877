/**
 * Migration 0030 links keys rotated before it from their audit events (so the console shows "replaced by" for
 * them too), adds the dead-key counters at zero, and on the way down folds them back into `invalid_key`. On both
 * dialects.
 */
import type { Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';

import { DIALECTS, type TestDatabase } from '../../../test/helpers/dialects.ts';
import { createDatabase, createMigrator, type Store } from '../create-database.ts';

async function migrateTo(db: Store, name: string): Promise<void> {
  const { error } = await (await createMigrator(db)).migrateTo(name);
  if (error) throw error;
}

describe.each(DIALECTS)('migration 0030 (key rotation link) on %s', (_name, create) => {
  let database: TestDatabase;
  let db: Store;
  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  it('links earlier rotations from the audit log, counts dead keys apart, and folds them back down', async () => {
    database = await create();
    db = createDatabase(database.url);
    await migrateTo(db, '0010-stream-outbox');
    const raw = db as unknown as Kysely<Record<string, Record<string, unknown>>>;
    await raw
      .insertInto('users')
      .values({ id: 'usr_1', email: 'a@example.com', password_hash: 'x', created_at: 1 })
      .execute();
    await raw
      .insertInto('subaccounts')
      .values({ id: 'sub_1', user_id: 'usr_1', name: 'Main', number: 0, is_main: 1, created_at: 1 })
      .execute();
    for (const id of ['key_old', 'key_new', 'key_other']) {
      await raw
        .insertInto('api_keys')
        .values({
          id,
          api_key: `pk-${id}`,
          user_id: 'usr_1',
          subaccount_id: 'sub_1',
          name: id,
          read_only: 0,
          key_source: 'server',
          created_at: 1,
        })
        .execute();
    }
    const event = (id: string, type: string, details: string) =>
      raw.insertInto('audit_events').values({ id, user_id: 'usr_1', type, details, created_at: 2 }).execute();
    await event('evt_1', 'api_key.rotated', JSON.stringify({ keyId: 'key_old', newKeyId: 'key_new' }));
    await event('evt_2', 'api_key.rotated', '{not json');
    await event('evt_3', 'api_key.revoked', JSON.stringify({ keyId: 'key_other' }));
    await raw
      .insertInto('api_key_usage')
      .values({ key_id: 'key_old', minute: 60_000, ok: 1, invalid_key: 2 })
      .execute();

    await migrateTo(db, '0030-key-rotation-link');
    const keys = await raw.selectFrom('api_keys').select(['id', 'replaced_by']).orderBy('id').execute();
    expect(keys).toEqual([
      { id: 'key_new', replaced_by: null },
      { id: 'key_old', replaced_by: 'key_new' },
      { id: 'key_other', replaced_by: null },
    ]);
    const usage = await raw.selectFrom('api_key_usage').selectAll().executeTakeFirstOrThrow();
    expect([usage.invalid_key, usage.key_revoked, usage.key_expired, usage.key_retired].map(Number)).toEqual([
      2, 0, 0, 0,
    ]);
    await raw.updateTable('api_key_usage').set({ key_retired: 3, key_expired: 1 }).execute();

    const { error } = await (await createMigrator(db)).migrateDown();
    if (error) throw error;
    const back = await raw.selectFrom('api_key_usage').selectAll().executeTakeFirstOrThrow();
    expect(Number(back.invalid_key)).toBe(6);
    expect(Object.keys(back)).not.toContain('key_retired');
    const keysBack = await raw.selectFrom('api_keys').selectAll().execute();
    expect(Object.keys(keysBack[0] as object)).not.toContain('replaced_by');
  });
});
