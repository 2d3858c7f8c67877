/**
 * Console sessions through the real app: the cookie's flags, what the database keeps, expiry, and logout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, hashSessionToken } from '../src/console/sessions.ts';
import { createConsoleTestContext, type ConsoleTestContext } from './helpers/console-context.ts';

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, Path=/ and not Secure over plain HTTP', async () => {
    const agent = ctx.agent();
    const response = await agent.signUp(`cookie-${Date.now()}@example.com`);
    expect(response.statusCode).toBe(201);
    const header = String(response.headers['set-cookie']);
    expect(header).toMatch(/^signet_session=[A-Za-z0-9_-]{43};/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Lax');
    expect(header).toContain('Path=/');
    expect(header).not.toContain('Secure');
  });

  it('is Secure when the request came over HTTPS', async () => {
    const https = await createConsoleTestContext({ app: { trustProxy: true } });
    try {
      await https.agent().signUp('secure@example.com');
      const res = await https.app.inject({
        method: 'POST',
        url: '/console/api/auth/login',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-proto': 'https',
          origin: 'https://localhost:80',
        },
        payload: JSON.stringify({ email: 'secure@example.com', password: 'correct horse battery' }),
      });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['set-cookie'])).toContain('Secure');
    } finally {
      await https.close();
    }
  });

  it('stores only a SHA-256 hash of the token, never the token', async () => {
    const { agent } = await ctx.signedUpAgent();
    const token = agent.cookie as string;
    const rows = await ctx.db.selectFrom('sessions').selectAll().execute();
    expect(rows.some((row) => row.token_hash === hashSessionToken(token))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('identifies the user in GET /session along with a CSRF token', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const response = await agent.request('GET', '/session');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      authenticated: true,
      user: { email, twoFactorEnabled: false },
      csrfToken: agent.csrfToken,
      requireTwoFactorForKeys: false,
    });
  });

  it('answers GET /session without a cookie with authenticated: false', async () => {
    const response = await ctx.agent().request('GET', '/session');
    expect(response.json()).toEqual({
      authenticated: false,
      requireTwoFactorForKeys: false,
      sandboxDeposits: true,
      exchange: true,
      customPermissions: [],
      broadAllowlistPrefixes: { ipv4: 8, ipv6: 32 },
    });
  });

  it('gives a new token at every sign-in (no session fixation)', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const first = agent.cookie;
    await agent.logIn(email);
    expect(agent.cookie).toBeDefined();
    expect(agent.cookie).not.toBe(first);
  });
});

describe('private routes', () => {
  it('answer 401 without a session cookie', async () => {
    for (const path of ['/keys', '/subaccounts', '/audit']) {
      const response = await ctx.agent().request('GET', path);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'UNAUTHORIZED' });
    }
  });

  it('answer 401 for a made-up cookie', async () => {
    const agent = ctx.agent();
    agent.cookie = 'A'.repeat(43);
    expect((await agent.request('GET', '/keys')).statusCode).toBe(401);
  });
});

describe('expiry', () => {
  it(`ends a session idle for ${SESSION_IDLE_MS / 3_600_000} hours`, async () => {
    const { agent } = await ctx.signedUpAgent();
    const start = ctx.clock.now;
    try {
      ctx.clock.now = start + SESSION_IDLE_MS - 60_000;
      expect((await agent.request('GET', '/keys')).statusCode).toBe(200);
      ctx.clock.now += SESSION_IDLE_MS;
      const response = await agent.request('GET', '/keys');
      expect(response.statusCode).toBe(401);
      expect(String(response.headers['set-cookie'])).toMatch(/signet_session=;/);
    } finally {
      ctx.clock.now = start;
    }
  });

  it(`ends a session ${SESSION_ABSOLUTE_MS / 86_400_000} days after sign-in, however active`, async () => {
    const { agent } = await ctx.signedUpAgent();
    const start = ctx.clock.now;
    try {
      for (let t = start; t < start + SESSION_ABSOLUTE_MS; t += SESSION_IDLE_MS / 2) {
        ctx.clock.now = t;
        expect((await agent.request('GET', '/session')).json()).toMatchObject({ authenticated: true });
      }
      ctx.clock.now = start + SESSION_ABSOLUTE_MS;
      expect((await agent.request('GET', '/keys')).statusCode).toBe(401);
    } finally {
      ctx.clock.now = start;
    }
  });
});

describe('POST /auth/logout', () => {
  it('ends the session on the server, clears the cookie, and the old cookie no longer works', async () => {
    const { agent } = await ctx.signedUpAgent();
    const token = agent.cookie as string;
    const response = await agent.request('POST', '/auth/logout');
    expect(response.statusCode).toBe(204);
    expect(String(response.headers['set-cookie'])).toMatch(
      /signet_session=;.*Max-Age=0|Expires=Thu, 01 Jan 1970/,
    );
    const row = await ctx.db
      .selectFrom('sessions')
      .select('id')
      .where('token_hash', '=', hashSessionToken(token))
      .executeTakeFirst();
    expect(row).toBeUndefined();
    agent.cookie = token;
    expect((await agent.request('GET', '/keys')).statusCode).toBe(401);
  });

  it('is recorded in the audit trail', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    ctx.clock.now += 1000;
    await agent.logIn(email);
    const before = (await agent.request('GET', '/audit')).json<{ type: string }[]>();
    expect(before[0]).toMatchObject({ type: 'login.succeeded', ip: agent.ip, userAgent: 'vitest-agent' });
    ctx.clock.now += 1000;
    await agent.request('POST', '/auth/logout');
    ctx.clock.now += 1000;
    await agent.logIn(email);
    const after = (await agent.request('GET', '/audit')).json<{ type: string }[]>();
    expect(after.map((e) => e.type).slice(0, 2)).toEqual(['login.succeeded', 'logout']);
  });
});
