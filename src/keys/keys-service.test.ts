import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createTestContext, type TestContext } from '../../test/helpers/context.ts';
import { listAuditEvents } from '../accounts/audit.ts';
import { generateKeyPair } from '../protocol/ed25519-node.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './keys-service.ts';
import { LAST_USE_INTERVAL_MS } from './last-use-recorder.ts';

let ctx: TestContext;
beforeEach(async () => {
  ctx = await createTestContext();
});
afterEach(() => ctx.close());

describe('createApiKey()', () => {
  it('generates a pair, returns the secret once and stores only the public key', async () => {
    const user = await ctx.createUser();
    const { key, secret } = await createApiKey(ctx.db, { userId: user.id, name: 'bot' });
    expect(secret).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const seed = Buffer.from(secret!, 'base64');
    await ctx.db.destroy(); // flush WAL to the file before reading it byte by byte
    const files = ['signet.db', 'signet.db-wal'].map((f) => join(ctx.dir, f)).filter(existsSync);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect(bytes.includes(Buffer.from(secret!))).toBe(false);
      expect(bytes.includes(seed)).toBe(false);
    }
    expect(files.some((f) => readFileSync(f).includes(Buffer.from(key.apiKey)))).toBe(true);
    ctx.db = (await import('../store/create-database.ts')).createDatabase(join(ctx.dir, 'signet.db'));
  });

  it('never returns a secret for a supplied public key', async () => {
    const user = await ctx.createUser();
    const pair = generateKeyPair();
    const created = await createApiKey(ctx.db, { userId: user.id, name: 'mine', publicKey: pair.apiKey });
    expect(created.secret).toBeUndefined();
    expect(created.key).toMatchObject({ apiKey: pair.apiKey, source: 'user', readOnly: false });
  });

  it('binds the key to the named subaccount, or to the main account by default', async () => {
    const user = await ctx.createUser();
    const sub = await ctx.createSubaccount(user, 'Bot');
    const onSub = await createApiKey(ctx.db, { userId: user.id, name: 'a', subaccountName: 'Bot' });
    const onMain = await createApiKey(ctx.db, { userId: user.id, name: 'b' });
    expect(onSub.key.subaccountId).toBe(sub.id);
    expect(onMain.key.subaccountId).not.toBe(sub.id);
  });

  it("refuses another user's subaccount", async () => {
    const alice = await ctx.createUser();
    const bob = await ctx.createUser();
    const aliceSub = await ctx.createSubaccount(alice, 'Vault');
    await expect(
      createApiKey(ctx.db, { userId: bob.id, name: 'x', subaccountId: aliceSub.id }),
    ).rejects.toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
    });
    await expect(
      createApiKey(ctx.db, { userId: bob.id, name: 'x', subaccountName: 'Vault' }),
    ).rejects.toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
    });
  });

  it.each([
    ['empty', ''],
    ['blank', '   '],
    ['65 characters', 'x'.repeat(65)],
    ['a control character', 'bad\u0007name'],
    ['a newline', 'two\nlines'],
    ['a zero-width joiner', 'a\u200db'],
  ])('rejects a name that is %s', async (_case, name) => {
    const user = await ctx.createUser();
    await expect(createApiKey(ctx.db, { userId: user.id, name })).rejects.toMatchObject({
      code: 'INVALID_CLIENT_REQUEST',
    });
  });

  it('accepts 64 printable characters, unicode included', async () => {
    const user = await ctx.createUser();
    const name = 'ключ-'.repeat(12) + 'abcd';
    expect([...name].length).toBe(64);
    await expect(createApiKey(ctx.db, { userId: user.id, name })).resolves.toBeDefined();
  });

  it('rejects invalid public keys with the reason', async () => {
    const user = await ctx.createUser();
    await expect(
      createApiKey(ctx.db, { userId: user.id, name: 'x', publicKey: 'AAAA' }),
    ).rejects.toMatchObject({
      code: 'INVALID_CLIENT_REQUEST',
      message: expect.stringContaining('32 bytes'),
    });
  });

  it('rejects a public key that is already registered, also when created concurrently', async () => {
    const alice = await ctx.createUser();
    const bob = await ctx.createUser();
    const pair = generateKeyPair();
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        createApiKey(ctx.db, { userId: i % 2 ? alice.id : bob.id, name: `k${i}`, publicKey: pair.apiKey }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'CONFLICT' });
    }
  });

  it('records an audit event without the secret', async () => {
    const user = await ctx.createUser();
    const { secret } = await createApiKey(ctx.db, {
      userId: user.id,
      name: 'bot',
      context: { ip: '10.1.2.3', userAgent: 'ua' },
    });
    const events = await listAuditEvents(ctx.db, user.id);
    const created = events.find((e) => e.type === 'api_key.created');
    expect(created).toMatchObject({
      ip: '10.1.2.3',
      userAgent: 'ua',
      details: { name: 'bot', readOnly: false },
    });
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});

describe('listApiKeys()', () => {
  it("lists only the user's keys, newest first, never a secret", async () => {
    const alice = await ctx.createUser();
    const bob = await ctx.createUser();
    await createApiKey(ctx.db, { userId: alice.id, name: 'first', now: 1000 });
    await createApiKey(ctx.db, { userId: alice.id, name: 'second', now: 2000 });
    await createApiKey(ctx.db, { userId: bob.id, name: 'bobs' });
    const keys = await listApiKeys(ctx.db, alice.id);
    expect(keys.map((k) => k.name)).toEqual(['second', 'first']);
    expect(JSON.stringify(keys)).not.toMatch(/secret/i);
  });
});

describe('revokeApiKey()', () => {
  it('revokes at once: the next signed request is refused', async () => {
    const user = await ctx.createUser();
    const key = await ctx.createKey(user);
    expect((await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
    await revokeApiKey(ctx.db, { key: key.apiKey });
    const res = await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' });
    expect(res.statusCode).toBe(401);
  });

  it("reports another user's key as not found and leaves it working", async () => {
    const alice = await ctx.createUser();
    const bob = await ctx.createUser();
    const key = await ctx.createKey(alice);
    await expect(revokeApiKey(ctx.db, { key: key.apiKey, userId: bob.id })).rejects.toMatchObject({
      code: 'RESOURCE_NOT_FOUND',
    });
    expect((await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
  });

  it('is idempotent and audited once', async () => {
    const user = await ctx.createUser();
    const key = await ctx.createKey(user);
    await revokeApiKey(ctx.db, { key: key.apiKey, now: 5000 });
    const again = await revokeApiKey(ctx.db, { key: key.apiKey, now: 9000 });
    expect(again.revokedAt).toBe(5000);
    const events = await listAuditEvents(ctx.db, user.id);
    expect(events.filter((e) => e.type === 'api_key.revoked')).toHaveLength(1);
  });
});

describe('last use', () => {
  it('records time and client IP after a request, at most once a minute per key', async () => {
    const user = await ctx.createUser();
    const key = await ctx.createKey(user);
    const t0 = ctx.clock.now;
    await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' }, { headers: {} });
    await ctx.verifier.lastUse.flush();
    let [row] = await listApiKeys(ctx.db, user.id);
    expect(row).toMatchObject({ lastUsedAt: t0, lastUsedIp: '127.0.0.1' });

    ctx.clock.now = t0 + LAST_USE_INTERVAL_MS - 1;
    await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' });
    await ctx.verifier.lastUse.flush();
    [row] = await listApiKeys(ctx.db, user.id);
    expect(row?.lastUsedAt).toBe(t0);

    ctx.clock.now = t0 + LAST_USE_INTERVAL_MS;
    await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' });
    await ctx.verifier.lastUse.flush();
    [row] = await listApiKeys(ctx.db, user.id);
    expect(row?.lastUsedAt).toBe(t0 + LAST_USE_INTERVAL_MS);
  });

  it('does not record failed requests', async () => {
    const user = await ctx.createUser();
    const key = await ctx.createKey(user, { readOnly: true });
    await ctx.signed(key, { method: 'POST', path: '/api/v1/order', body: { symbol: 'SOL_USDC' } });
    await ctx.verifier.lastUse.flush();
    const [row] = await listApiKeys(ctx.db, user.id);
    expect(row?.lastUsedAt).toBeNull();
  });
});
