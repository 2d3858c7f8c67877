/**
 * Per-address limits aggregate IPv6 by /64 and normalise spellings (issue 21.6). Regression: failed
 * authentications, console sign-in and public routes counted each address string, so every address of one /64
 * (and each spelling of one address) got its own allowance. Here 130 addresses of one /64 are throttled together,
 * another /64 is not, and `SIGNET_LIMIT_IPV6_PREFIX` changes the grouping.
 */
import { afterAll, describe, expect, it } from 'vitest';

import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import {
  DEFAULT_RATE_LIMITS,
  rateLimitsFromEnv,
  type RateLimitConfig,
} from '../src/server/rate-limit-config.ts';
import { consoleConfigFromEnv } from '../src/console/console-config.ts';
import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';
import { createTestContext, type TestContext } from './helpers/context.ts';

const contexts: Array<TestContext | ConsoleTestContext> = [];
afterAll(async () => {
  for (const ctx of contexts) await ctx.close();
});

async function contextWith(limits: Partial<RateLimitConfig>): Promise<TestContext> {
  const ctx = await createTestContext({ rateLimits: { ...DEFAULT_RATE_LIMITS, ...limits } });
  contexts.push(ctx);
  return ctx;
}

/** 130 addresses of 2001:db8:<net>::/64, spelt in three ways. */
function addressesOf(net: string): string[] {
  return Array.from({ length: 130 }, (_, i) => {
    const host = (i + 1).toString(16);
    if (i % 3 === 0) return `2001:db8:${net}:0:${host}::`;
    if (i % 3 === 1) return `2001:DB8:${net.toUpperCase()}:0000:0:0:0:${host}`;
    return `2001:0db8:${net}::${host}`;
  });
}

describe('130 addresses of one /64 are throttled together (regression: each got its own allowance)', () => {
  it('on public routes', async () => {
    const ctx = await contextWith({ publicPerMinute: 100 });
    const get = (ip: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/markets', remoteAddress: ip });
    const answers: number[] = [];
    for (const ip of addressesOf('a')) answers.push((await get(ip)).statusCode);
    expect(answers.filter((s) => s === 200)).toHaveLength(100);
    expect(answers.filter((s) => s === 429)).toHaveLength(30);
    expect((await get('2001:db8:b::1')).statusCode).toBe(200);
  });

  it('for failed authentications', async () => {
    const ctx = await contextWith({ authFailuresPerMinute: 120 });
    const stranger = generateKeyPair().apiKey;
    const bad = (ip: string) =>
      ctx.app.inject({
        method: 'GET',
        url: '/api/v1/capital',
        remoteAddress: ip,
        headers: {
          'X-API-Key': stranger,
          'X-Signature': `${'A'.repeat(85)}A==`,
          'X-Timestamp': String(Date.now()),
          'X-Window': '5000',
        },
      });
    const answers: number[] = [];
    for (const ip of addressesOf('c')) answers.push((await bad(ip)).statusCode);
    expect(answers.slice(0, 120).every((s) => s === 401)).toBe(true);
    expect(answers.slice(120).every((s) => s === 429)).toBe(true);
    expect((await bad('2001:db8:d::1')).statusCode).toBe(401);
  });

  it('at console sign-up and sign-in', { timeout: 120_000 }, async () => {
    const ctx = await createConsoleTestContext({
      app: { rateLimits: { ...DEFAULT_RATE_LIMITS, signInPerMinute: 60 } },
    });
    contexts.push(ctx);
    const answers: number[] = [];
    for (const ip of addressesOf('e')) {
      answers.push(
        (await ctx.agent(ip).signUp(`v6-${ip.replace(/:/g, '-')}-${Date.now()}@example.com`)).statusCode,
      );
    }
    expect(answers.filter((s) => s === 201)).toHaveLength(60);
    expect(answers.slice(60).every((s) => s === 429)).toBe(true);
    expect((await ctx.agent('2001:db8:f::1').logIn('nobody@example.com', PASSWORD)).statusCode).toBe(401);
  });

  it('by the failed sign-in counter (no request limit)', { timeout: 120_000 }, async () => {
    const ctx = await createConsoleTestContext();
    contexts.push(ctx);
    const answers: number[] = [];
    for (const ip of addressesOf('10').slice(0, 25)) {
      answers.push((await ctx.agent(ip).logIn(`nobody-${answers.length}@example.com`, PASSWORD)).statusCode);
    }
    expect(answers.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(answers.slice(21)).toContain(429);
    expect((await ctx.agent('2001:db8:11::1').logIn('nobody@example.com', PASSWORD)).statusCode).toBe(401);
  });
});

describe('spellings and configuration', () => {
  it('counts an IPv4-mapped address as the IPv4 address it carries', async () => {
    const ctx = await contextWith({ publicPerMinute: 2 });
    const get = (ip: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/markets', remoteAddress: ip });
    expect((await get('192.0.2.9')).statusCode).toBe(200);
    expect((await get('::ffff:192.0.2.9')).statusCode).toBe(200);
    expect((await get('::FFFF:c000:209')).statusCode).toBe(429);
  });

  it('groups by SIGNET_LIMIT_IPV6_PREFIX', async () => {
    expect(rateLimitsFromEnv({}).ipv6Prefix).toBe(64);
    expect(consoleConfigFromEnv({}).ipv6LimitPrefix).toBe(64);
    expect(rateLimitsFromEnv({ SIGNET_LIMIT_IPV6_PREFIX: '128' }).ipv6Prefix).toBe(128);
    expect(() => rateLimitsFromEnv({ SIGNET_LIMIT_IPV6_PREFIX: '16' })).toThrow('SIGNET_LIMIT_IPV6_PREFIX');
    const ctx = await contextWith({ publicPerMinute: 1, ipv6Prefix: 128 });
    const get = (ip: string) => ctx.app.inject({ method: 'GET', url: '/api/v1/markets', remoteAddress: ip });
    expect((await get('2001:db8:12::1')).statusCode).toBe(200);
    expect((await get('2001:db8:12::2')).statusCode).toBe(200);
    expect((await get('2001:DB8:12:0::2')).statusCode).toBe(429);
  });
});
