/**
 * Failed sign-ins are slowed down per account and per IP, with counters in the database; error messages never
 * tell whether an email has an account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ACCOUNT_THROTTLE, IP_THROTTLE } from '../src/console/login-throttle.ts';
import { createConsoleTestContext, PASSWORD, type ConsoleTestContext } from './helpers/console-context.ts';

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

async function registeredEmail(): Promise<string> {
  const { email } = await ctx.signedUpAgent();
  return email;
}

describe('generic answers', () => {
  it('answers an unknown email and a wrong password identically', async () => {
    const email = await registeredEmail();
    const wrongPassword = await ctx.agent().logIn(email, 'not the password');
    const unknownEmail = await ctx.agent().logIn(`nobody-${Date.now()}@example.com`, 'not the password');
    expect(wrongPassword.statusCode).toBe(401);
    expect(unknownEmail.statusCode).toBe(401);
    expect(wrongPassword.json()).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Invalid email or password',
      detail: 'INVALID_CREDENTIALS',
    });
    expect(unknownEmail.body).toBe(wrongPassword.body);
    expect(unknownEmail.headers['set-cookie']).toBeUndefined();
  });

  it('records a failed sign-in in the account owner’s audit trail (with IP and user agent)', async () => {
    const { agent, email } = await ctx.signedUpAgent();
    const attacker = ctx.agent('203.0.113.9');
    await attacker.logIn(email, 'guess guess');
    const events = (await agent.request('GET', '/audit')).json<Array<Record<string, unknown>>>();
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'login.failed',
        ip: '203.0.113.9',
        userAgent: 'vitest-agent',
        details: { reason: 'password' },
      }),
    );
    expect(JSON.stringify(events)).not.toContain('guess guess');
  });
});

describe('per-account throttling', () => {
  it(`answers 429 with Retry-After after ${ACCOUNT_THROTTLE.freeFailures} failures, even to the right password`, async () => {
    const email = await registeredEmail();
    for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures; i++) {
      // Different IPs: the account counter alone must stop this.
      expect((await ctx.agent().logIn(email, `wrong ${i}`)).statusCode).toBe(401);
    }
    const blocked = await ctx.agent().logIn(email, PASSWORD);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json()).toMatchObject({
      code: 'TOO_MANY_REQUESTS',
      message: expect.stringMatching(/Try again in 1 second/),
    });
    expect(blocked.headers['retry-after']).toBe('1');
    expect(blocked.headers['set-cookie']).toBeUndefined();
  });

  it('slows down exponentially, and lets the right password in once the wait is over', async () => {
    const email = await registeredEmail();
    const start = ctx.clock.now;
    try {
      for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures; i++) await ctx.agent().logIn(email, 'wrong');
      ctx.clock.now += 1000;
      expect((await ctx.agent().logIn(email, 'wrong')).statusCode).toBe(401);
      const second = await ctx.agent().logIn(email, PASSWORD);
      expect(second.statusCode).toBe(429);
      expect(second.headers['retry-after']).toBe('2');
      ctx.clock.now += 2000;
      const agent = ctx.agent();
      expect((await agent.logIn(email, PASSWORD)).statusCode).toBe(200);
      expect(agent.cookie).toBeDefined();
      // Success clears the account's counter.
      expect((await ctx.agent().logIn(email, 'wrong')).statusCode).toBe(401);
      expect((await ctx.agent().logIn(email, PASSWORD)).statusCode).toBe(200);
    } finally {
      ctx.clock.now = start + 10_000;
    }
  });

  it('throttles an unknown email the same way, so 429s reveal nothing either', async () => {
    const email = `ghost-${Date.now()}@example.com`;
    for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures; i++) await ctx.agent().logIn(email, 'wrong');
    expect((await ctx.agent().logIn(email, 'wrong')).statusCode).toBe(429);
  });

  it('gives a burst of parallel guesses no more tries than sequential ones', async () => {
    const email = await registeredEmail();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => ctx.agent().logIn(email, `parallel ${i}`)),
    );
    const checked = results.filter((r) => r.statusCode === 401).length;
    expect(checked).toBeLessThanOrEqual(ACCOUNT_THROTTLE.freeFailures);
    expect(results.filter((r) => r.statusCode === 429).length).toBe(12 - checked);
  });

  it('is shared by every process on the same database', async () => {
    const other = await createConsoleTestContext({ databasePath: ctx.databasePath });
    try {
      other.clock.now = ctx.clock.now;
      const email = await registeredEmail();
      for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures; i++) {
        const app = i % 2 === 0 ? ctx : other;
        expect((await app.agent().logIn(email, 'wrong')).statusCode).toBe(401);
      }
      expect((await other.agent().logIn(email, PASSWORD)).statusCode).toBe(429);
      expect((await ctx.agent().logIn(email, PASSWORD)).statusCode).toBe(429);
    } finally {
      await other.close();
    }
  });
});

describe('per-IP throttling', () => {
  it(`answers 429 to an IP after ${IP_THROTTLE.freeFailures} failures across many accounts; other IPs are unaffected`, async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < IP_THROTTLE.freeFailures; i++) {
      expect(
        (await ctx.agent(ip).logIn(`spray${i}-${Date.now()}@example.com`, 'Winter2025!')).statusCode,
      ).toBe(401);
    }
    const email = await registeredEmail();
    expect((await ctx.agent(ip).logIn(email, PASSWORD)).statusCode).toBe(429);
    expect((await ctx.agent('198.51.100.78').logIn(email, PASSWORD)).statusCode).toBe(200);
  });

  it('counts signups for taken emails against the IP, so harvesting emails is throttled too', async () => {
    const ip = '198.51.100.99';
    const email = await registeredEmail();
    for (let i = 0; i < IP_THROTTLE.freeFailures; i++) {
      const taken = await ctx.agent(ip).signUp(email);
      expect(taken.statusCode).toBe(409);
    }
    const blocked = await ctx.agent(ip).signUp(`fresh-${Date.now()}@example.com`);
    expect(blocked.statusCode).toBe(429);
  });
});

describe('account lockout (regression)', () => {
  it('five wrong passwords from elsewhere no longer lock the owner out of their known address', async () => {
    const { email } = await ctx.signedUpAgent('192.0.2.10');
    // The owner signs in once from home: that address is now known to the account.
    expect((await ctx.agent('192.0.2.10').logIn(email, PASSWORD)).statusCode).toBe(200);
    // An attacker elsewhere (one address, then many) fails over and over.
    for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures + 3; i++) {
      const status = (await ctx.agent('203.0.113.66').logIn(email, `guess ${i}`)).statusCode;
      expect(status).toBe(i < ACCOUNT_THROTTLE.freeFailures ? 401 : 429);
    }
    for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures; i++) await ctx.agent().logIn(email, `spread ${i}`);
    // The attacker's address is slowed down for this account, and so are addresses the account never used...
    expect((await ctx.agent('203.0.113.66').logIn(email, PASSWORD)).statusCode).toBe(429);
    expect((await ctx.agent('203.0.113.67').logIn(email, PASSWORD)).statusCode).toBe(429);
    // ...but the owner from their known address signs in at once.
    expect((await ctx.agent('192.0.2.10').logIn(email, PASSWORD)).statusCode).toBe(200);
  });

  it('still slows down guesses from one address at one account, known or not', async () => {
    const { email } = await ctx.signedUpAgent('192.0.2.20');
    for (let i = 0; i < ACCOUNT_THROTTLE.freeFailures; i++) {
      expect((await ctx.agent('192.0.2.20').logIn(email, `wrong ${i}`)).statusCode).toBe(401);
    }
    expect((await ctx.agent('192.0.2.20').logIn(email, PASSWORD)).statusCode).toBe(429);
  });
});
