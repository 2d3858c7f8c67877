/**
 * Issue 21, point 1: no tenant can exhaust a shared store for another. The replay store is one per node (or per
 * cluster primary, or one Redis) and refuses everyone when full; one key's flood of no-op cancel-alls used to fill
 * it (requests the rate limit refused still took an entry, and a timestamp 59 s ahead kept each entry about two
 * minutes), and every other user's orders answered 429. Real signed requests through the real app and, for the
 * Redis case, a private redis-server.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import type { ReplayGuardOptions } from '../src/keys/replay-guard.ts';
import { DEFAULT_RATE_LIMITS } from '../src/server/rate-limit-config.ts';
import { RedisLink } from '../src/store/redis-link.ts';
import { createTestContext, type TestContext, type TestKey } from './helpers/context.ts';
import { startPrivateRedis, waitUntilUp, type PrivateRedis } from './helpers/redis-server.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';

const STORE = 3_000;
const FLOOD = 3_300;

const signers = new Map<string, Awaited<ReturnType<typeof createSigner>>>();

/** One no-op cancel-all signed at `timestamp` (a new signature for each timestamp, 60 s window). */
async function cancelAll(ctx: TestContext, key: TestKey, timestamp: number) {
  const signer = signers.get(key.secret) ?? (await createSigner(key.secret));
  signers.set(key.secret, signer);
  const prepared = await createSignedRequest(
    { method: 'DELETE', path: '/api/v1/orders', body: { symbol: 'SOL_USDC' }, timestamp, window: 60_000 },
    { apiKey: key.apiKey, sign: signer.sign },
  );
  return ctx.send({
    method: prepared.method,
    url: prepared.pathWithQuery,
    headers: prepared.headers,
    payload: prepared.body,
  });
}

/** The flood: `count` cancel-alls of one key, 100 at a time; returns how many answered each status. */
async function flood(ctx: TestContext, key: TestKey, count = FLOOD): Promise<Record<number, number>> {
  const statuses: Record<number, number> = {};
  for (let sent = 0; sent < count; sent += 100) {
    const batch = Array.from({ length: Math.min(100, count - sent) }, (_, i) =>
      cancelAll(ctx, key, ctx.clock.now - sent - i),
    );
    for (const res of await Promise.all(batch))
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
  }
  return statuses;
}

async function setUp(replay: ReplayGuardOptions, rateLimits = DEFAULT_RATE_LIMITS) {
  const ctx = await createTestContext({ rateLimits, replay });
  const attacker = await ctx.createKey(await ctx.createUser());
  const victim = await ctx.createUser();
  const victimKey = await ctx.createKey(victim);
  await ctx.exchange.depositTestFunds({ userId: victim.id, symbol: 'USDC', quantity: '1000' });
  const order = () =>
    ctx.signed(victimKey, {
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '10', quantity: '1' },
    });
  return { ctx, attacker, order };
}

describe('one tenant fills the replay store for all (regression)', () => {
  const contexts: TestContext[] = [];
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close();
  });

  it("a small store, one key's 3,300 cancel-alls: another user's order is still accepted", async () => {
    const { ctx, attacker, order } = await setUp({ maxEntries: STORE });
    contexts.push(ctx);
    const statuses = await flood(ctx, attacker);
    // The key's subaccount holds its 10 % share (300 entries); past it only its own requests get 429.
    expect(statuses[200]).toBe(STORE / 10);
    expect(statuses[429]).toBe(FLOOD - STORE / 10);
    expect(ctx.verifier.replayGuard.size).toBe(STORE / 10);
    const res = await order();
    expect(res.statusCode).toBe(200);
  });

  it('requests the rate limit refuses take no entry (share 100 %: the limit alone bounds the key)', async () => {
    // The same proportions, ten times smaller: a store of 300, a limit of 200 a minute, 330 requests.
    const limits = { ...DEFAULT_RATE_LIMITS, signedPerMinute: 200 };
    const { ctx, attacker, order } = await setUp({ maxEntries: STORE / 10, subaccountShare: 1 }, limits);
    contexts.push(ctx);
    const statuses = await flood(ctx, attacker, FLOOD / 10);
    expect(statuses[200]).toBe(200);
    expect(statuses[429]).toBe(FLOOD / 10 - 200);
    expect(ctx.verifier.replayGuard.size).toBe(200);
    expect((await order()).statusCode).toBe(200);
  });

  it('a timestamp more than 5 s ahead is refused, so no entry outlives window + 5 s', async () => {
    const { ctx, attacker } = await setUp({ maxEntries: STORE });
    contexts.push(ctx);
    const ahead = await cancelAll(ctx, attacker, ctx.clock.now + 59_000);
    expect(ahead.statusCode).toBe(401);
    expect(ahead.json()).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/future/) });
    expect((await cancelAll(ctx, attacker, ctx.clock.now + 5_000)).statusCode).toBe(200);
    expect(ctx.verifier.replayGuard.size).toBe(1);
  });
});

describe.skipIf(!REDIS_SERVER.available)('one tenant fills the replay store in Redis (regression)', () => {
  let redis: PrivateRedis;
  let link: RedisLink;
  let ctx: TestContext;
  afterAll(async () => {
    await ctx?.close();
    await link?.close();
    await redis?.stop();
  });

  it("one key's 3,300 cancel-alls through Redis: its share is capped there too, another user's order accepted", async () => {
    redis = await startPrivateRedis();
    link = new RedisLink(redis.url, { warn: () => {}, info: () => {} });
    await waitUntilUp(link);
    const setup = await setUp({ maxEntries: STORE, redis: link });
    ctx = setup.ctx;
    const statuses = await flood(ctx, setup.attacker);
    expect(statuses[200]).toBe(STORE / 10);
    expect(statuses[429]).toBe(FLOOD - STORE / 10);
    // The entries (and the subaccount's count of them) are in Redis: about the share, not the flood.
    expect(await link.client.dbsize()).toBeGreaterThan(STORE / 10);
    expect(await link.client.dbsize()).toBeLessThanOrEqual(STORE / 10 + 20);
    expect((await setup.order()).statusCode).toBe(200);
  });
});
