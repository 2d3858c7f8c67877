/**
 * Key controls over real HTTP (a listening server, client sockets bound to chosen loopback addresses): IP
 * allowlists and X-Forwarded-For, permissions, expiry, rotation with a grace period, revoke-all, and the per-key
 * usage counters those requests leave behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { User } from '../src/accounts/accounts-service.ts';
import { revokeAllApiKeys, rotateApiKey, updateApiKey } from '../src/keys/key-controls-service.ts';
import { getKeyUsage } from '../src/keys/key-usage-query.ts';
import { revokeApiKey } from '../src/keys/keys-service.ts';
import { allowWithdrawalAddress } from './helpers/address-book.ts';
import { createTestContext, type TestContext, type TestKey } from './helpers/context.ts';

const CAPITAL = { method: 'GET', path: '/api/v1/capital' } as const;
const WITHDRAWAL = {
  method: 'POST',
  path: '/wapi/v1/capital/withdrawals',
  body: {
    symbol: 'USDC',
    blockchain: 'Ethereum',
    quantity: '20',
    address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
  },
} as const;
const ORDER = {
  method: 'POST',
  path: '/api/v1/order',
  body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100', quantity: '1' },
} as const;

const status = (res: { statusCode: number; json: () => unknown }) => ({
  status: res.statusCode,
  ...(res.json() as object),
});

let ctx: TestContext;
let user: User;
beforeAll(async () => {
  ctx = await createTestContext({ transport: 'http' });
  user = await ctx.createUser();
  await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '10000' });
  await allowWithdrawalAddress(ctx.db, {
    userId: user.id,
    blockchain: WITHDRAWAL.body.blockchain,
    address: WITHDRAWAL.body.address,
    now: ctx.clock.now,
  });
});
afterAll(() => ctx.close());

describe('IP allowlist (socket address)', () => {
  let key: TestKey;
  beforeAll(async () => {
    key = await ctx.createKey(user, { allowedIps: ['127.0.0.2'] });
  });

  it('accepts a request from 127.0.0.2', async () => {
    const res = await ctx.signed(key, CAPITAL, { localAddress: '127.0.0.2' });
    expect(res.statusCode).toBe(200);
  });

  it('refuses 127.0.0.1 with 401 UNAUTHORIZED saying the address is not allowed', async () => {
    const res = await ctx.signed(key, CAPITAL, { localAddress: '127.0.0.1' });
    expect(status(res)).toEqual({
      status: 401,
      code: 'UNAUTHORIZED',
      message: "This API key is not allowed from address 127.0.0.1; add it to the key's IP allowlist",
    });
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const res = await ctx.signed(key, CAPITAL, {
      localAddress: '127.0.0.1',
      headers: { 'X-Forwarded-For': '127.0.0.2' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ message: expect.stringContaining('from address 127.0.0.1') });
  });

  it('takes effect on the next request after an edit', async () => {
    await updateApiKey(ctx.db, { key: key.apiKey, allowedIps: ['127.0.0.0/8'], now: ctx.clock.now });
    expect((await ctx.signed(key, CAPITAL, { localAddress: '127.0.0.1' })).statusCode).toBe(200);
    await updateApiKey(ctx.db, { key: key.apiKey, allowedIps: ['127.0.0.2'], now: ctx.clock.now });
    expect((await ctx.signed(key, CAPITAL, { localAddress: '127.0.0.1' })).statusCode).toBe(401);
  });
});

describe('IP allowlist behind a trusted proxy', () => {
  let proxied: TestContext;
  let key: TestKey;
  beforeAll(async () => {
    proxied = await createTestContext({ transport: 'http', trustProxy: ['127.0.0.3'] });
    const owner = await proxied.createUser();
    key = await proxied.createKey(owner, { allowedIps: ['198.51.100.7'] });
  });
  afterAll(() => proxied.close());

  it('takes the client address from X-Forwarded-For sent by the trusted proxy', async () => {
    const res = await proxied.signed(key, CAPITAL, {
      localAddress: '127.0.0.3',
      headers: { 'X-Forwarded-For': '198.51.100.7' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('takes the rightmost untrusted hop, so a client cannot prepend an allowed address', async () => {
    const res = await proxied.signed(key, CAPITAL, {
      localAddress: '127.0.0.3',
      headers: { 'X-Forwarded-For': '198.51.100.7, 203.0.113.5' },
    });
    expect(res.json()).toMatchObject({ message: expect.stringContaining('from address 203.0.113.5') });
  });

  it('ignores the same header from any other peer', async () => {
    const res = await proxied.signed(key, CAPITAL, {
      localAddress: '127.0.0.4',
      headers: { 'X-Forwarded-For': '198.51.100.7' },
    });
    expect(res.json()).toMatchObject({ message: expect.stringContaining('from address 127.0.0.4') });
  });
});

describe('permissions', () => {
  it('lets a read+trade key place orders and answers 403 naming withdraw on withdrawals', async () => {
    const key = await ctx.createKey(user, { permissions: 'read,trade' });
    expect((await ctx.signed(key, ORDER as never)).statusCode).toBe(200);
    expect(status(await ctx.signed(key, WITHDRAWAL as never))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      message: 'This API key lacks the withdraw permission needed for withdraw',
    });
  });

  it('lets a full key withdraw', async () => {
    const key = await ctx.createKey(user, { permissions: ['read', 'trade', 'withdraw'] });
    expect((await ctx.signed(key, WITHDRAWAL as never)).statusCode).toBe(200);
  });

  it('answers 403 naming trade to a read-only key placing an order', async () => {
    const key = await ctx.createKey(user, { readOnly: true });
    expect(status(await ctx.signed(key, ORDER as never))).toMatchObject({
      status: 403,
      message: expect.stringContaining('lacks the trade permission needed for orderExecute'),
    });
  });
});

describe('expiry', () => {
  it('works until its expiry and is refused from that instant like a revoked key', async () => {
    const start = ctx.clock.now;
    try {
      const key = await ctx.createKey(user, { expiresAt: start + 60_000 });
      ctx.clock.now = start + 59_999;
      expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(200);
      ctx.clock.now = start + 60_000;
      expect(status(await ctx.signed(key, CAPITAL))).toEqual({
        status: 401,
        code: 'UNAUTHORIZED',
        message: 'Invalid API key',
      });
    } finally {
      ctx.clock.now = start;
    }
  });
});

describe('rotation with a grace period', () => {
  it('keeps both keys working during the grace, then refuses the old one', async () => {
    const start = ctx.clock.now;
    try {
      const old = await ctx.createKey(user, { permissions: 'read,trade', allowedIps: ['127.0.0.0/8'] });
      const rotated = await rotateApiKey(ctx.db, { key: old.apiKey, graceMs: 3600_000, now: start });
      expect(rotated.key).toMatchObject({
        name: rotated.old.name,
        permissions: ['read', 'trade'],
        allowedIps: ['127.0.0.0/8'],
        expiresAt: null,
      });
      const fresh = { apiKey: rotated.key.apiKey, secret: rotated.secret as string };
      expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(200);
      expect((await ctx.signed(fresh, CAPITAL)).statusCode).toBe(200);

      ctx.clock.now = start + 3600_000 - 1;
      expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(200);
      ctx.clock.now = start + 3600_000;
      expect(status(await ctx.signed(old, CAPITAL))).toMatchObject({
        status: 401,
        message: 'Invalid API key',
      });
      expect((await ctx.signed(fresh, CAPITAL)).statusCode).toBe(200);
      // The new key kept the old one's permissions.
      expect((await ctx.signed(fresh, WITHDRAWAL as never)).statusCode).toBe(403);
    } finally {
      ctx.clock.now = start;
    }
  });

  it('with grace 0 stops the old key at once', async () => {
    const old = await ctx.createKey(user);
    const rotated = await rotateApiKey(ctx.db, { key: old.apiKey, graceMs: 0, now: ctx.clock.now });
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(401);
    const fresh = { apiKey: rotated.key.apiKey, secret: rotated.secret as string };
    expect((await ctx.signed(fresh, CAPITAL)).statusCode).toBe(200);
  });
});

describe('revoke all', () => {
  it("revokes one subaccount's keys, then all of the account's", async () => {
    const owner = await ctx.createUser();
    const bot = await ctx.createSubaccount(owner, 'Bot');
    const mainKey = await ctx.createKey(owner);
    const botKeys = [
      await ctx.createKey(owner, { subaccountName: 'Bot' }),
      await ctx.createKey(owner, { subaccountName: 'Bot' }),
    ];
    const revoked = await revokeAllApiKeys(ctx.db, {
      userId: owner.id,
      subaccountId: bot.id,
      now: ctx.clock.now,
    });
    expect(revoked.map((k) => k.apiKey).sort()).toEqual(botKeys.map((k) => k.apiKey).sort());
    for (const key of botKeys) expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(401);
    expect((await ctx.signed(mainKey, CAPITAL)).statusCode).toBe(200);

    expect(await revokeAllApiKeys(ctx.db, { userId: owner.id, now: ctx.clock.now })).toHaveLength(1);
    expect((await ctx.signed(mainKey, CAPITAL)).statusCode).toBe(401);
  });
});

describe('usage per key', () => {
  it('counts successes and refusals by reason per minute, written in a batch, with refusal samples', async () => {
    const key = await ctx.createKey(user, { permissions: 'read,trade', allowedIps: ['127.0.0.2'] });
    for (let i = 0; i < 3; i++) await ctx.signed(key, CAPITAL, { localAddress: '127.0.0.2' });
    await ctx.signed(key, CAPITAL, { localAddress: '127.0.0.1' });
    await ctx.signed(key, WITHDRAWAL as never, { localAddress: '127.0.0.2' });
    await ctx.signed(key, CAPITAL, {
      localAddress: '127.0.0.2',
      headers: { 'X-Signature': `${'A'.repeat(86)}==` },
    });
    await ctx.signed(key, { ...CAPITAL, timestamp: ctx.clock.now - 120_000 }, { localAddress: '127.0.0.2' });

    // Nothing is written per request: the counters wait for the flush.
    expect(
      await ctx.db.selectFrom('api_key_usage').selectAll().where('key_id', '=', key.id).execute(),
    ).toEqual([]);
    await ctx.verifier.usage.flush();

    const usage = await getKeyUsage(ctx.db, { keyId: key.id, userId: user.id, now: ctx.clock.now });
    expect(usage.totals).toEqual({
      ok: 3,
      invalidKey: 0,
      keyRevoked: 0,
      keyExpired: 0,
      keyRetired: 0,
      expiredWindow: 1,
      badSignature: 1,
      ipNotAllowed: 1,
      permission: 1,
    });
    expect(usage.buckets.filter((b) => b.ok > 0)).toHaveLength(1);
    expect(usage.refusals.map((r) => r.reason).sort()).toEqual([
      'bad_signature',
      'expired_window',
      'ip_not_allowed',
      'permission',
    ]);
    expect(usage.refusals.find((r) => r.reason === 'ip_not_allowed')).toMatchObject({
      ip: '127.0.0.1',
      instruction: 'balanceQuery',
    });
  });
});

describe('usage per key over a range (regression: 222 requests over 7 minutes drew 2 ten-minute bars)', () => {
  it('puts requests made over 7 minutes into 7 one-minute buckets of the 1 h range', async () => {
    const key = await ctx.createKey(user);
    const start = ctx.clock.now;
    for (let minute = 0; minute < 7; minute++) {
      ctx.clock.now = start + minute * 60_000;
      for (let i = 0; i <= minute; i++) await ctx.signed(key, CAPITAL);
    }
    await ctx.verifier.usage.flush(ctx.clock.now);
    const usage = await getKeyUsage(ctx.db, {
      keyId: key.id,
      userId: user.id,
      now: ctx.clock.now,
      range: '1h',
    });
    expect(usage.bucketMs).toBe(60_000);
    expect(usage.buckets).toHaveLength(60);
    const used = usage.buckets.filter((b) => b.ok > 0);
    expect(used.map((b) => b.ok)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(used.map((b) => b.start - (used[0] as { start: number }).start)).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((m) => m * 60_000),
    );
    expect(usage.buckets.at(-1)?.ok).toBe(7);

    const day = await getKeyUsage(ctx.db, {
      keyId: key.id,
      userId: user.id,
      now: ctx.clock.now,
      range: '24h',
    });
    expect(day.bucketMs).toBe(15 * 60_000);
    expect(day.buckets).toHaveLength(96);
    expect(day.totals.ok).toBe(28);
    const week = await getKeyUsage(ctx.db, {
      keyId: key.id,
      userId: user.id,
      now: ctx.clock.now,
      range: '7d',
    });
    expect(week.bucketMs).toBe(2 * 3600_000);
    expect(week.buckets).toHaveLength(84);
    expect(week.totals.ok).toBe(28);
    ctx.clock.now = Date.now();
  });

  it('tells the owner that refusals came from an expired, a retired and a revoked key; the caller gets one answer', async () => {
    const expiring = await ctx.createKey(user, { expiresAt: ctx.clock.now + 60_000 });
    const rotated = await ctx.createKey(user);
    const revoked = await ctx.createKey(user);
    const at = ctx.clock.now;
    await rotateApiKey(ctx.db, { key: rotated.apiKey, graceMs: 30_000, now: at });
    await revokeApiKey(ctx.db, { key: revoked.apiKey, now: at });
    ctx.clock.now = at + 120_000;
    const answers = [];
    for (const key of [expiring, rotated, revoked]) answers.push(status(await ctx.signed(key, CAPITAL)));
    expect(answers).toEqual(Array(3).fill({ status: 401, code: 'UNAUTHORIZED', message: 'Invalid API key' }));
    await ctx.verifier.usage.flush(ctx.clock.now);

    const reasonOf = async (key: TestKey & { id: string }) => {
      const usage = await getKeyUsage(ctx.db, { keyId: key.id, userId: user.id, now: ctx.clock.now });
      return { totals: usage.totals, refusals: usage.refusals.map((r) => [r.reason, r.message]) };
    };
    expect(await reasonOf(expiring)).toMatchObject({
      totals: { keyExpired: 1, keyRetired: 0, keyRevoked: 0, invalidKey: 0 },
      refusals: [['key_expired', 'Invalid API key']],
    });
    expect(await reasonOf(rotated)).toMatchObject({
      totals: { keyRetired: 1, keyExpired: 0 },
      refusals: [['key_retired', 'Invalid API key']],
    });
    expect(await reasonOf(revoked)).toMatchObject({
      totals: { keyRevoked: 1 },
      refusals: [['key_revoked', 'Invalid API key']],
    });
    ctx.clock.now = Date.now();
  });
});
