/** The same store code on both dialects: migrations, users and subaccounts, keys, the signed-request lookup. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DIALECTS, type TestDatabase } from '../../test/helpers/dialects.ts';
import { createSubaccount, createUser, listSubaccounts } from '../accounts/accounts-service.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../keys/keys-service.ts';
import { SignedRequestVerifier } from '../keys/signed-request-verifier.ts';
import { createSigner } from '../client/signer.ts';
import { createSignedRequest } from '../client/signed-request.ts';
import { migrateToLatest, openStore, type Store } from './create-database.ts';

describe.each(DIALECTS)('store on %s', (_name, create) => {
  let database: TestDatabase;
  let db: Store;

  // A fresh database per test, created in beforeEach: without PostgreSQL, its variant's tests are skipped there.
  beforeEach(async () => {
    database = await create();
    db = await openStore(database.url);
  });
  afterEach(async () => {
    await db.destroy();
    await database.drop();
  });

  // A SQLite setting: on PostgreSQL this test does not exist rather than being skipped, so a run with both
  // dialects skips nothing.
  if (_name === 'sqlite') {
    it('opens SQLite in WAL mode with journals of statements in memory', async () => {
      const pragma = async (name: string) =>
        Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(1); // NORMAL
      expect(await pragma('temp_store')).toBe(2); // MEMORY
      expect(await pragma('foreign_keys')).toBe(1);
    });
  }

  it('applies migrations idempotently', async () => {
    await migrateToLatest(db);
    await migrateToLatest(db);
  });

  it('creates a user with a main subaccount and numbers named subaccounts', async () => {
    const user = await createUser(db, { email: 'Dialect@Example.com', password: 'long enough' });
    expect(user.email).toBe('dialect@example.com');
    await createSubaccount(db, { userId: user.id, name: 'Bot' });
    await expect(createSubaccount(db, { userId: user.id, name: 'Bot' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    const subs = await listSubaccounts(db, user.id);
    expect(subs.map((s) => [s.name, s.number, s.isMain])).toEqual([
      ['Main', 0, true],
      ['Bot', 1, false],
    ]);
    await expect(
      createUser(db, { email: 'dialect@example.com', password: 'long enough' }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('numbers subaccounts created concurrently without clashes', async () => {
    const user = await createUser(db, { email: 'many@example.com', password: 'long enough' });
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createSubaccount(db, { userId: user.id, name: `Bot ${i}` })),
    );
    expect(new Set(created.map((s) => s.number)).size).toBe(12);
    expect((await listSubaccounts(db, user.id)).map((s) => s.number)).toEqual(
      Array.from({ length: 13 }, (_, i) => i),
    );
  });

  it('creates, verifies, lists and revokes keys with exact timestamps', async () => {
    const user = await createUser(db, { email: 'keys@example.com', password: 'long enough' });
    const now = 1_790_000_000_123;
    const { key, secret } = await createApiKey(db, { userId: user.id, name: 'k', readOnly: true, now });
    expect(key.createdAt).toBe(now);

    const verifier = new SignedRequestVerifier(db, { now: () => now });
    const prepared = await createSignedRequest(
      { method: 'GET', path: '/api/v1/capital', timestamp: now },
      await createSigner(secret!),
    );
    const input = {
      method: 'GET',
      path: '/api/v1/capital',
      query: '',
      body: undefined,
      headers: prepared.headers,
    };
    const ok = await verifier.verify(input, { ip: '192.0.2.1' });
    expect(ok).toMatchObject({ ok: true, caller: { readOnly: true, subaccountNumber: 0, userId: user.id } });
    await verifier.lastUse.flush();
    const [listed] = await listApiKeys(db, user.id);
    expect(listed).toMatchObject({
      createdAt: now,
      lastUsedAt: now,
      lastUsedIp: '192.0.2.1',
      readOnly: true,
    });

    await revokeApiKey(db, { key: key.apiKey, now: now + 1 });
    expect(await verifier.verify(input, { ip: '192.0.2.1' })).toMatchObject({
      ok: false,
      code: 'UNAUTHORIZED',
    });
  });
});
