/**
 * TOTP two-factor authentication through the console API: enrolment, single-use codes, sign-in with a second
 * factor, turning it off, and its use to protect API key creation (optionally made mandatory by the operator).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { consoleConfigFromEnv } from '../src/console/console-config.ts';
import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

describe('enrolment', () => {
  it('gives a base32 secret, an otpauth URL and a QR code, and leaves 2FA off until confirmed', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const response = await agent.request('POST', '/2fa/setup');
    expect(response.statusCode).toBe(200);
    const setup = response.json<{ secret: string; otpauthUrl: string; qrCode: string }>();
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(setup.otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.searchParams.get('secret')).toBe(setup.secret);
    expect(url.searchParams.get('issuer')).toBe('Signet');
    expect(decodeURIComponent(url.pathname)).toContain(email);
    expect(setup.qrCode).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(setup.qrCode.split(',')[1] as string, 'base64').toString()).toContain('<svg');
    expect((await agent.request('GET', '/session')).json()).toMatchObject({
      user: { twoFactorEnabled: false },
    });
  });

  it('refuses a wrong code and turns 2FA on with the right one', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { secret } = (await agent.request('POST', '/2fa/setup')).json<{ secret: string }>();
    const wrong = await agent.request('POST', '/2fa/enable', { body: { code: '000000' } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    const right = await agent.request('POST', '/2fa/enable', { body: { code: ctx.totpCode(secret) } });
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ user: { twoFactorEnabled: true } });
    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string }>>();
    expect(events.map((e) => e.type)).toContain('totp.enabled');
    expect(JSON.stringify(events)).not.toContain(secret);
  });

  it('accepts a code from the neighbouring time step (clock drift), not from two steps away', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { secret } = (await agent.request('POST', '/2fa/setup')).json<{ secret: string }>();
    const far = await agent.request('POST', '/2fa/enable', { body: { code: ctx.totpCode(secret, -2) } });
    expect(far.statusCode).toBe(400);
    const near = await agent.request('POST', '/2fa/enable', { body: { code: ctx.totpCode(secret, -1) } });
    expect(near.statusCode).toBe(200);
  });

  it('ends the user’s other sessions, which were opened with the password alone', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const laptop = ctx.agent();
    await laptop.logIn(email);
    await ctx.enableTwoFactor(agent);
    expect((await laptop.request('GET', '/keys')).statusCode).toBe(401);
    expect((await agent.request('GET', '/keys')).statusCode).toBe(200);
  });

  it('does not show the secret again once 2FA is on', async () => {
    const { agent } = await ctx.signedUpAgent();
    await ctx.enableTwoFactor(agent);
    const again = await agent.request('POST', '/2fa/setup');
    expect(again.statusCode).toBe(409);
    expect(again.body).not.toMatch(/secret/i);
  });
});

describe('codes are single-use', () => {
  it('refuses a replayed code, even within its 30 seconds', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    const replay = await ctx.createKey(agent, { totpCode: ctx.totpCode(secret) });
    expect(replay.response.statusCode).toBe(400);
    expect(replay.response.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    const next = await ctx.createKey(agent, { totpCode: ctx.totpCode(secret, 1) });
    expect(next.response.statusCode).toBe(201);
    const again = await ctx.createKey(agent, { totpCode: ctx.totpCode(secret, 1) });
    expect(again.response.statusCode).toBe(400);
  });

  it('lets only one of two concurrent requests spend the same code', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    const code = ctx.totpCode(secret, 1);
    const results = await Promise.all([
      ctx.createKey(agent, { totpCode: code }),
      ctx.createKey(agent, { totpCode: code }),
    ]);
    expect(results.map((r) => r.response.statusCode).sort()).toEqual([201, 400]);
  });

  it('throttles wrong codes per user', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    for (let i = 0; i < 5; i++) {
      expect((await ctx.createKey(agent, { totpCode: '123456' })).response.statusCode).toBe(400);
    }
    const blocked = await ctx.createKey(agent, { totpCode: ctx.totpCode(secret, 1) });
    expect(blocked.response.statusCode).toBe(429);
    expect(blocked.response.headers['retry-after']).toBeDefined();
  });
});

describe('sign-in with 2FA on', () => {
  it('asks for the code after a correct password, without starting a session', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    await ctx.enableTwoFactor(agent);
    const fresh = ctx.agent();
    const response = await fresh.logIn(email);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'two_factor_required' });
    expect(fresh.cookie).toBeUndefined();
  });

  it('still answers a wrong password with the generic error, not with a 2FA prompt', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    await ctx.enableTwoFactor(agent);
    const response = await ctx.agent().logIn(email, 'wrong password');
    expect(response.json()).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Invalid email or password',
      detail: 'INVALID_CREDENTIALS',
    });
  });

  it('refuses a wrong code (and records it), accepts the right one', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    const fresh = ctx.agent();
    const wrong = await fresh.logIn(email, PASSWORD, '000000');
    expect(wrong.statusCode).toBe(400);
    expect(fresh.cookie).toBeUndefined();
    const right = await fresh.logIn(email, PASSWORD, ctx.totpCode(secret, 1));
    expect(right.statusCode).toBe(200);
    expect(right.json()).toMatchObject({ status: 'signed_in', user: { email, twoFactorEnabled: true } });
    expect(fresh.cookie).toBeDefined();
    const events = (await fresh.request('GET', '/audit')).json<Array<{ type: string; details: object }>>();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'login.failed', details: { reason: 'two_factor' } }),
    );
  });
});

describe('turning 2FA off', () => {
  it('needs a valid code', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    expect((await agent.request('POST', '/2fa/disable', { body: { code: '000000' } })).statusCode).toBe(400);
    const off = await agent.request('POST', '/2fa/disable', { body: { code: ctx.totpCode(secret, 1) } });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ user: { twoFactorEnabled: false } });
    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string }>>();
    expect(events.map((e) => e.type)).toContain('totp.disabled');
    // Keys no longer ask for a code.
    expect((await ctx.createKey(agent)).response.statusCode).toBe(201);
  });

  it('answers 409 when 2FA is not on', async () => {
    const { agent } = await ctx.signedUpAgent();
    expect((await agent.request('POST', '/2fa/disable', { body: { code: '123456' } })).statusCode).toBe(409);
  });
});

describe('API key creation', () => {
  it('needs the current code when 2FA is on', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    const without = await ctx.createKey(agent);
    expect(without.response.statusCode).toBe(400);
    expect(without.response.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    expect((await ctx.createKey(agent, { totpCode: ctx.totpCode(secret, 1) })).response.statusCode).toBe(201);
  });

  it('does not spend the code when the public key is invalid', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    const code = ctx.totpCode(secret, 1);
    const bad = await agent.request('POST', '/keys', {
      body: { name: 'typo', publicKey: 'abc', totpCode: code },
    });
    expect(bad.statusCode).toBe(400);
    expect((await ctx.createKey(agent, { totpCode: code })).response.statusCode).toBe(201);
  });
});

describe('SIGNET_REQUIRE_2FA_FOR_KEYS', () => {
  it('is read from the environment', () => {
    expect(consoleConfigFromEnv({ SIGNET_REQUIRE_2FA_FOR_KEYS: 'true' })).toMatchObject({
      requireTwoFactorForKeys: true,
    });
    expect(consoleConfigFromEnv({ SIGNET_REQUIRE_2FA_FOR_KEYS: 'false' })).toMatchObject({
      requireTwoFactorForKeys: false,
    });
    expect(consoleConfigFromEnv({})).toMatchObject({ requireTwoFactorForKeys: false });
  });

  it('refuses key creation until the user turns 2FA on, saying so', async () => {
    const strict = await createConsoleTestContext({ console: { requireTwoFactorForKeys: true } });
    try {
      const { agent } = await strict.signedUpAgent();
      expect((await agent.request('GET', '/session')).json()).toMatchObject({
        requireTwoFactorForKeys: true,
      });
      const refused = await strict.createKey(agent);
      expect(refused.response.statusCode).toBe(403);
      expect(refused.response.json()).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('requires two-factor authentication'),
      });
      expect((await agent.request('GET', '/keys')).json()).toEqual([]);
      const secret = await strict.enableTwoFactor(agent);
      const created = await strict.createKey(agent, { totpCode: strict.totpCode(secret, 1) });
      expect(created.response.statusCode).toBe(201);
    } finally {
      await strict.close();
    }
  });
});
