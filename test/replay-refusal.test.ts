/**
 * Replay refusal: a mutating signed request whose signature was already accepted inside its window is refused
 * with 401 before it touches anything; bounded memory; shared between nodes through Redis; and Redis going down
 * degrades to per-process refusal, never to an outage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { User } from '../src/accounts/accounts-service.ts';
import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { CLOCK_SKEW_ALLOWANCE_MS, ReplayGuard } from '../src/keys/replay-guard.ts';
import { ReplayStore } from '../src/keys/replay-store.ts';
import { parseSignedRequest } from '../src/protocol/signed-request.ts';
import { RedisLink } from '../src/store/redis-link.ts';
import { allowWithdrawalAddress } from './helpers/address-book.ts';
import { createTestContext, type TestContext, type TestKey } from './helpers/context.ts';
import { startPrivateRedis, waitUntilUp, type PrivateRedis } from './helpers/redis-server.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';

let ctx: TestContext;
let user: User;
let key: TestKey;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
  key = await ctx.createKey(user);
  await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '10000' });
  await allowWithdrawalAddress(ctx.db, {
    userId: user.id,
    blockchain: 'Ethereum',
    address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
    now: ctx.clock.now,
  });
});
afterAll(() => ctx.close());

/** One signed request, prepared once, sent as many times as asked. */
async function prepare(spec: SignedRequestSpec, timestamp = ctx.clock.now) {
  const signer = await createSigner(key.secret);
  const prepared = await createSignedRequest(
    { timestamp, ...spec },
    { apiKey: key.apiKey, sign: signer.sign },
  );
  return () =>
    ctx.send({
      method: prepared.method,
      url: prepared.pathWithQuery,
      headers: prepared.headers,
      payload: prepared.body,
    });
}

/** A canonical-looking signature text (the guard never verifies; the verifier did that before). */
const sig = (n: number): string => `${String(n).padStart(85, 'A')}A==`;

async function mainAccount(): Promise<string> {
  const row = await ctx.db
    .selectFrom('subaccounts')
    .select('id')
    .where('user_id', '=', user.id)
    .executeTakeFirstOrThrow();
  return row.id;
}

const ALREADY_USED = { code: 'UNAUTHORIZED', message: expect.stringMatching(/already used/) };

describe('replays accepted (regression)', () => {
  it('one signed withdrawal sent twice inside its window makes one withdrawal', async () => {
    const send = await prepare({
      method: 'POST',
      path: '/wapi/v1/capital/withdrawals',
      body: {
        symbol: 'USDC',
        blockchain: 'Ethereum',
        quantity: '20',
        address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
      },
    });
    expect((await send()).statusCode).toBe(200);
    const before = await ctx.exchange.readBalances(await mainAccount());
    const replay = await send();
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toEqual(ALREADY_USED);
    const listed = await ctx.signed(key, { method: 'GET', path: '/wapi/v1/capital/withdrawals' });
    expect(listed.json()).toHaveLength(1);
    const after = await ctx.exchange.readBalances(await mainAccount());
    expect(after).toEqual(before);
  });

  it('one signed order sent twice (same clientId) makes one order', async () => {
    const send = await prepare({
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '10', quantity: '1', clientId: 42 },
    });
    const [first, second] = await Promise.all([send(), send()]);
    expect([first.statusCode, second.statusCode].sort()).toEqual([200, 401]);
    const open = await ctx.signed(key, {
      method: 'GET',
      path: '/api/v1/orders',
      query: { symbol: 'SOL_USDC' },
    });
    expect(open.json<unknown[]>().filter((o) => (o as { clientId: number }).clientId === 42)).toHaveLength(1);
  });

  it('refuses a replayed cancel too, and accepts the same action signed again with a new timestamp', async () => {
    const cancelAll = await prepare({
      method: 'DELETE',
      path: '/api/v1/orders',
      body: { symbol: 'SOL_USDC' },
    });
    expect((await cancelAll()).statusCode).toBe(200);
    expect((await cancelAll()).json()).toEqual(ALREADY_USED);
    const again = await prepare(
      { method: 'DELETE', path: '/api/v1/orders', body: { symbol: 'SOL_USDC' } },
      ctx.clock.now + 1,
    );
    expect((await again()).statusCode).toBe(200);
  });

  it('lets queries be repeated by default', async () => {
    const send = await prepare({ method: 'GET', path: '/api/v1/capital' });
    expect((await send()).statusCode).toBe(200);
    expect((await send()).statusCode).toBe(200);
  });
});

describe('ReplayGuard', () => {
  const request = (spec: SignedRequestSpec, timestamp: number, signature: string) => {
    const parsed = parseSignedRequest({
      method: spec.method,
      path: spec.path,
      query: '',
      body: spec.body,
      headers: {
        'x-api-key': key.apiKey,
        'x-signature': signature,
        'x-timestamp': String(timestamp),
        'x-window': '5000',
      },
    });
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.request;
  };
  const order = { method: 'POST', path: '/api/v1/order', body: { symbol: 'SOL_USDC' } } as const;
  const query = { method: 'GET', path: '/api/v1/capital' } as const;

  it("extends to queries with mode 'all', and is off with mode 'off'", async () => {
    const now = 1_000_000;
    const all = new ReplayGuard({ mode: 'all' });
    expect(await all.claim(request(query, now, sig(1)), now)).toEqual({ ok: true });
    expect((await all.claim(request(query, now, sig(1)), now)).ok).toBe(false);
    const off = new ReplayGuard({ mode: 'off' });
    expect((await off.claim(request(order, now, sig(1)), now)).ok).toBe(true);
    expect((await off.claim(request(order, now, sig(1)), now)).ok).toBe(true);
  });

  it('is bounded: refuses (never evicts) when full, says so once, and frees entries once their window passed', async () => {
    const warnings: string[] = [];
    const guard = new ReplayGuard({
      maxEntries: 3,
      subaccountShare: 1,
      log: { warn: (m) => warnings.push(m) },
    });
    const now = 2_000_000;
    for (let i = 0; i < 3; i++) expect((await guard.claim(request(order, now, sig(i)), now)).ok).toBe(true);
    const full = await guard.claim(request(order, now, sig(9)), now);
    expect(full).toMatchObject({ ok: false, code: 'TOO_MANY_REQUESTS' });
    await guard.claim(request(order, now, sig(10)), now);
    expect(guard.stats.refusedFull).toBe(2);
    expect(warnings).toHaveLength(1);
    // The old entries were not evicted: their replays are still refused.
    expect(await guard.claim(request(order, now, sig(0)), now)).toMatchObject({ code: 'UNAUTHORIZED' });
    // timestamp + window has passed: the entries are gone and the store takes new requests.
    const later = now + 5001;
    expect((await guard.claim(request(order, later, sig(11)), later)).ok).toBe(true);
    expect(guard.size).toBe(1);
  });
});

/** A signed order request with signature number `n`, claimed by `guard` at `now`. */
function claimOrder(guard: ReplayGuard, n: number, now: number) {
  const parsed = parseSignedRequest({
    method: 'POST',
    path: '/api/v1/order',
    query: '',
    body: {},
    headers: { 'x-api-key': key.apiKey, 'x-signature': sig(n), 'x-timestamp': String(now) },
  });
  if (!parsed.ok) throw new Error(parsed.message);
  return guard.claim(parsed.request, now);
}

describe('replay refusal through the cluster primary', () => {
  it("takes the primary's answer, and counts its refusals in this process's stats", async () => {
    const primary = new ReplayStore({ maxEntries: 1, ownerShare: 1 });
    const shared = {
      claim: async (signature: string, expiresAt: number) => primary.claim(signature, expiresAt, 1),
    };
    const [a, b] = [new ReplayGuard({ shared }), new ReplayGuard({ shared })];
    expect((await claimOrder(a, 1, 1)).ok).toBe(true);
    expect(await claimOrder(b, 1, 1)).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await claimOrder(b, 2, 1)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
    expect(b.stats).toMatchObject({ replays: 1, refusedFull: 1 });
    expect(a.size + b.size).toBe(0);
  });

  it('falls back to its own store when the primary does not answer, and says so once', async () => {
    const warnings: string[] = [];
    const guard = new ReplayGuard({
      shared: { claim: () => Promise.reject(new Error('the cluster primary did not answer in time')) },
      log: { warn: (m) => warnings.push(m) },
    });
    const now = Date.now();
    expect((await claimOrder(guard, 1, now)).ok).toBe(true);
    expect(await claimOrder(guard, 1, now)).toMatchObject({ code: 'UNAUTHORIZED' });
    // The replay was refused from this process's own store, without asking the primary again.
    expect(guard.stats.sharedFallbacks).toBe(1);
    expect(warnings).toHaveLength(1);
  });
});

describe.skipIf(!REDIS_SERVER.available)('replay refusal through Redis', () => {
  let shared: PrivateRedis;
  beforeAll(async () => {
    shared = await startPrivateRedis();
  });
  afterAll(() => shared?.stop());

  it('refuses a request replayed to another node sharing REDIS_URL', async () => {
    const links = [0, 1].map(() => new RedisLink(shared.url, { warn: () => {}, info: () => {} }));
    try {
      await Promise.all(links.map((link) => waitUntilUp(link)));
      const [a, b] = links.map((redis) => new ReplayGuard({ redis })) as [ReplayGuard, ReplayGuard];
      const now = Date.now();
      const signature = `${crypto.randomUUID().replace(/-/g, '').padEnd(85, 'B')}A==`;
      const parsed = parseSignedRequest({
        method: 'POST',
        path: '/api/v1/order',
        query: '',
        body: {},
        headers: { 'x-api-key': key.apiKey, 'x-signature': signature, 'x-timestamp': String(now) },
      });
      if (!parsed.ok) throw new Error(parsed.message);
      expect((await a.claim(parsed.request, now)).ok).toBe(true);
      expect(await b.claim(parsed.request, now)).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
      const ttl = await links[0]?.client.pttl(`signet:replay:${signature}`);
      // Each node measured its clock against Redis's when the link came up (warned past 30 s).
      for (const link of links) {
        for (let i = 0; i < 50 && link.clockOffsetMs === undefined; i++)
          await new Promise((r) => setTimeout(r, 20));
        expect(Math.abs(link.clockOffsetMs as number)).toBeLessThan(1000);
      }
      // The window (5 s by the accepting node's clock) plus the allowance for nodes whose clocks are behind.
      expect(ttl).toBeGreaterThan(CLOCK_SKEW_ALLOWANCE_MS);
      expect(ttl).toBeLessThanOrEqual(5001 + CLOCK_SKEW_ALLOWANCE_MS);
    } finally {
      await Promise.all(links.map((link) => link.close()));
    }
  });

  it('falls back to per-process refusal while Redis is down, warns once, and returns to Redis', async () => {
    const redis = await startPrivateRedis();
    const warnings: string[] = [];
    const infos: string[] = [];
    const link = new RedisLink(redis.url, { warn: (m) => warnings.push(m), info: (m) => infos.push(m) });
    try {
      await waitUntilUp(link);
      const guard = new ReplayGuard({ redis: link });
      const claim = (n: number) => claimOrder(guard, n, Date.now());
      expect((await claim(1)).ok).toBe(true);
      expect(await link.client.exists(`signet:replay:${sig(1)}`)).toBe(1);

      await redis.stop();
      await new Promise((r) => setTimeout(r, 200));
      expect((await claim(2)).ok).toBe(true);
      expect((await claim(2)).ok).toBe(false);
      expect((await claim(3)).ok).toBe(true);
      expect(warnings).toHaveLength(1);
      expect(guard.stats.redisFallbacks).toBeGreaterThan(0);

      await redis.start();
      await waitUntilUp(link);
      expect(link.isUp()).toBe(true);
      expect(infos).toHaveLength(1);
      expect((await claim(4)).ok).toBe(true);
      expect(await link.client.exists(`signet:replay:${sig(4)}`)).toBe(1);
      // What was remembered during the outage is still refused.
      expect((await claim(2)).ok).toBe(false);
    } finally {
      await link.close();
      await redis.stop();
    }
  });
});
