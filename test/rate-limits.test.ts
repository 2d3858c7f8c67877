/**
 * Rate limits: per subaccount on the signed API, tighter on history, per address on public routes and console
 * sign-in/sign-up, failed authentications per address; 429 TOO_MANY_REQUESTS in Backpack's format with
 * Retry-After; SIGNET_RATE_LIMITS=off turns them off; shared through Redis, and per process while Redis is down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LightMyRequestResponse } from 'fastify';

import {
  DEFAULT_RATE_LIMITS,
  rateLimitsFromEnv,
  type RateLimitConfig,
} from '../src/server/rate-limit-config.ts';
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { buildApp } from '../src/server/app.ts';
import { RedisLink } from '../src/store/redis-link.ts';
import { createConsoleTestContext, PASSWORD } from './helpers/console-context.ts';
import { createTestContext, type TestContext } from './helpers/context.ts';
import { startPrivateRedis, waitUntilUp, type PrivateRedis } from './helpers/redis-server.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';

const contexts: TestContext[] = [];
afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
});

async function contextWith(limits: Partial<RateLimitConfig>): Promise<TestContext> {
  const ctx = await createTestContext({ rateLimits: { ...DEFAULT_RATE_LIMITS, ...limits } });
  contexts.push(ctx);
  return ctx;
}

/** What buildApp needs to serve another app on the same database as `ctx`. */
function appDeps(ctx: TestContext) {
  return {
    db: ctx.db,
    verifier: ctx.verifier,
    now: Date.now,
    markets: ctx.exchange.config,
    exchange: ctx.exchange,
  };
}

function expectTooMany(res: LightMyRequestResponse): void {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toEqual({ code: 'TOO_MANY_REQUESTS', message: expect.any(String) });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
}

describe('configuration', () => {
  it("has Backpack's defaults, is on by default, and SIGNET_RATE_LIMITS=off turns every limit off", () => {
    expect(rateLimitsFromEnv({})).toEqual(DEFAULT_RATE_LIMITS);
    expect(DEFAULT_RATE_LIMITS).toMatchObject({ enabled: true, signedPerMinute: 2000, historyPerMinute: 30 });
    expect(rateLimitsFromEnv({ SIGNET_RATE_LIMITS: 'off' }).enabled).toBe(false);
    expect(rateLimitsFromEnv({ SIGNET_RATE_LIMIT_SIGNED: '50' }).signedPerMinute).toBe(50);
    expect(() => rateLimitsFromEnv({ SIGNET_RATE_LIMITS: 'maybe' })).toThrow();
    expect(() => rateLimitsFromEnv({ SIGNET_RATE_LIMIT_PUBLIC: '1.5' })).toThrow();
  });

  it('lets everything through when off', async () => {
    const ctx = await contextWith({ enabled: false, publicPerMinute: 1, signedPerMinute: 1 });
    const key = await ctx.createKey(await ctx.createUser());
    for (let i = 0; i < 5; i++) {
      expect((await ctx.send({ method: 'GET', url: '/api/v1/markets' })).statusCode).toBe(200);
      expect((await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
    }
  });
});

describe('the signed API', () => {
  it('limits each subaccount (every key of it together), not each key, and not other subaccounts', async () => {
    const ctx = await contextWith({ signedPerMinute: 4 });
    const user = await ctx.createUser();
    const [a, b] = [await ctx.createKey(user), await ctx.createKey(user)];
    await ctx.createSubaccount(user, 'Bot');
    const other = await ctx.createKey(user, { subaccountName: 'Bot' });
    for (let i = 0; i < 4; i++) {
      const res = await ctx.signed(i % 2 ? a : b, { method: 'GET', path: '/api/v1/capital' });
      expect(res.statusCode).toBe(200);
    }
    expectTooMany(await ctx.signed(a, { method: 'GET', path: '/api/v1/capital' }));
    expectTooMany(
      await ctx.signed(b, { method: 'POST', path: '/api/v1/order', body: { symbol: 'SOL_USDC' } }),
    );
    expect((await ctx.signed(other, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
  });

  it('limits /wapi/v1/history/* more tightly', async () => {
    const ctx = await contextWith({ historyPerMinute: 2 });
    const key = await ctx.createKey(await ctx.createUser());
    for (let i = 0; i < 2; i++) {
      expect((await ctx.signed(key, { method: 'GET', path: '/wapi/v1/history/orders' })).statusCode).toBe(
        200,
      );
    }
    expectTooMany(await ctx.signed(key, { method: 'GET', path: '/wapi/v1/history/fills' }));
    expect((await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
  });

  it('counts failed signatures against the address, then refuses it before verifying anything', async () => {
    const ctx = await contextWith({ authFailuresPerMinute: 3 });
    const key = await ctx.createKey(await ctx.createUser());
    for (let i = 0; i < 3; i++) {
      const bad = await ctx.signed(
        key,
        { method: 'GET', path: '/api/v1/capital' },
        {
          headers: { 'X-Signature': `${'A'.repeat(85)}A==` },
        },
      );
      expect(bad.statusCode).toBe(401);
    }
    // Now even a correctly signed request from that address waits: no more verifications for it.
    expectTooMany(await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' }));
    const elsewhere = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/status',
      remoteAddress: '192.0.2.44',
    });
    expect(elsewhere.statusCode).toBe(200);
  });
});

describe('public routes and console sign-in', () => {
  it('limits public routes per client address', async () => {
    const ctx = await contextWith({ publicPerMinute: 3 });
    const get = (ip: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/markets', remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await get('198.51.100.1')).statusCode).toBe(200);
    expectTooMany(await get('198.51.100.1'));
    expect((await get('198.51.100.2')).statusCode).toBe(200);
  });

  it('limits console sign-in and sign-up per client address', async () => {
    const console = await createConsoleTestContext({
      app: { rateLimits: { ...DEFAULT_RATE_LIMITS, signInPerMinute: 2 } },
    });
    try {
      const agent = console.agent('203.0.113.5');
      expect((await agent.signUp(`rl-${Date.now()}@example.com`)).statusCode).toBe(201);
      expect((await agent.logIn(`nobody-${Date.now()}@example.com`, PASSWORD)).statusCode).toBe(401);
      expectTooMany(await agent.logIn(`nobody-${Date.now()}@example.com`, PASSWORD));
      expectTooMany(await console.agent('203.0.113.5').signUp(`rl2-${Date.now()}@example.com`));
      expect((await console.agent('203.0.113.6').signUp(`rl3-${Date.now()}@example.com`)).statusCode).toBe(
        201,
      );
    } finally {
      await console.close();
    }
  });
});

describe.skipIf(!REDIS_SERVER.available)('through Redis', () => {
  let shared: PrivateRedis;
  beforeAll(async () => {
    shared = await startPrivateRedis();
  });
  afterAll(() => shared?.stop());

  it('shares a limit between two nodes', async () => {
    const ctx = await contextWith({ enabled: false });
    const links = [0, 1].map(() => new RedisLink(shared.url, { warn: () => {}, info: () => {} }));
    await Promise.all(links.map((link) => waitUntilUp(link)));
    const limits = { ...DEFAULT_RATE_LIMITS, publicPerMinute: 4 };
    const deps = appDeps(ctx);
    const nodes = await Promise.all(links.map((redis) => buildApp(deps, { rateLimits: limits, redis })));
    try {
      const ip = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${process.pid % 250}`;
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const node = nodes[i % 2]!;
        statuses.push(
          (await node.inject({ method: 'GET', url: '/api/v1/markets', remoteAddress: ip })).statusCode,
        );
      }
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    } finally {
      await Promise.all(nodes.map((node) => node.close()));
      await Promise.all(links.map((link) => link.close()));
    }
  });

  it('keeps limiting per process while Redis is down, warns once, and goes back to Redis', async () => {
    const ctx = await contextWith({ enabled: false });
    const redis = await startPrivateRedis();
    const warnings: string[] = [];
    const link = new RedisLink(redis.url, { warn: (m) => warnings.push(m), info: () => {} });
    const limits = { ...DEFAULT_RATE_LIMITS, publicPerMinute: 3 };
    const deps = appDeps(ctx);
    const app = await buildApp(deps, { rateLimits: limits, redis: link });
    try {
      await waitUntilUp(link);
      const get = (ip: string) => app.inject({ method: 'GET', url: '/api/v1/markets', remoteAddress: ip });
      expect((await get('192.0.2.1')).statusCode).toBe(200);
      expect(await link.client.keys('signet:rl:*')).toHaveLength(1);

      await redis.stop();
      await new Promise((r) => setTimeout(r, 200));
      const during = [];
      for (let i = 0; i < 4; i++) during.push((await get('192.0.2.2')).statusCode);
      expect(during).toEqual([200, 200, 200, 429]);
      expect(warnings).toHaveLength(1);

      await redis.start();
      await waitUntilUp(link);
      expect((await get('192.0.2.3')).statusCode).toBe(200);
      expect((await link.client.keys('signet:rl:*')).some((k) => k.includes('192.0.2.3'))).toBe(true);
    } finally {
      await app.close();
      await link.close();
      await redis.stop();
    }
  });
});

describe('through the cluster primary', () => {
  it('never refuses because the primary did not answer (like the plugin skipOnError)', async () => {
    const ctx = await contextWith({ enabled: false });
    const failing = {
      incr: (_key: string, callback: (error: Error | null) => void) => callback(new Error('no primary')),
      read: (_key: string, callback: (error: Error | null) => void) => callback(new Error('no primary')),
    };
    const deps = appDeps(ctx);
    const limits = { ...DEFAULT_RATE_LIMITS, publicPerMinute: 1, signedPerMinute: 1 };
    const app = await buildApp(deps, { rateLimits: limits, sharedCounters: failing });
    try {
      const key = await ctx.createKey(await ctx.createUser());
      for (let i = 0; i < 3; i++) {
        expect((await app.inject({ method: 'GET', url: '/api/v1/markets' })).statusCode).toBe(200);
        const prepared = await createSignedRequest(
          { method: 'GET', path: '/api/v1/capital', timestamp: Date.now() },
          { apiKey: key.apiKey, sign: (await createSigner(key.secret)).sign },
        );
        const signed = await app.inject({
          method: 'GET',
          url: prepared.pathWithQuery,
          headers: prepared.headers,
        });
        expect(signed.statusCode).toBe(200);
      }
    } finally {
      await app.close();
    }
  });
});
