/**
 * CSRF defences of the console API: the per-session token on every state-changing request, the same-origin
 * check, and JSON-only bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  createConsoleTestContext,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

let ctx: ConsoleTestContext;
let agent: ConsoleAgent;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
  ({ agent } = await ctx.signedUpAgent());
});
afterAll(() => ctx.close());

const createSubaccount = (options: Parameters<ConsoleAgent['request']>[2] = {}) =>
  agent.request('POST', '/subaccounts', {
    body: { name: `Sub ${Math.random().toString(36).slice(2, 8)}` },
    ...options,
  });

describe('X-CSRF-Token', () => {
  it('is accepted when it matches the session', async () => {
    expect((await createSubaccount()).statusCode).toBe(201);
  });

  it('is required on state-changing requests: missing answers 403 and changes nothing', async () => {
    const before = (await agent.request('GET', '/subaccounts')).json<unknown[]>().length;
    const response = await createSubaccount({ csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('CSRF') });
    expect((await agent.request('GET', '/subaccounts')).json<unknown[]>()).toHaveLength(before);
  });

  it('refuses a wrong token', async () => {
    const response = await createSubaccount({ csrf: false, headers: { 'x-csrf-token': 'x'.repeat(43) } });
    expect(response.statusCode).toBe(403);
  });

  it("refuses another session's token", async () => {
    const { agent: other } = await ctx.signedUpAgent();
    const response = await createSubaccount({
      csrf: false,
      headers: { 'x-csrf-token': other.csrfToken as string },
    });
    expect(response.statusCode).toBe(403);
  });

  it('is checked on DELETE and logout too', async () => {
    expect((await agent.request('DELETE', '/keys/key_01ABC', { csrf: false })).statusCode).toBe(403);
    expect((await agent.request('POST', '/auth/logout', { csrf: false })).statusCode).toBe(403);
    expect((await agent.request('GET', '/session')).json()).toMatchObject({ authenticated: true });
  });

  it('is not needed for reads', async () => {
    expect((await agent.request('GET', '/keys', { csrf: false })).statusCode).toBe(200);
  });
});

describe('same-origin check', () => {
  it('refuses a state-changing request from another Origin, even with a valid token', async () => {
    const response = await createSubaccount({ headers: { origin: 'https://evil.example' } });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ code: 'FORBIDDEN', message: 'Cross-origin request refused' });
  });

  it('refuses Origin: null', async () => {
    expect((await createSubaccount({ headers: { origin: 'null' } })).statusCode).toBe(403);
  });

  it('falls back to Referer when there is no Origin', async () => {
    const headers = { origin: '', referer: 'https://evil.example/page' };
    const refused = await agent.request('POST', '/subaccounts', { body: { name: 'Referer' }, headers });
    expect(refused.statusCode).toBe(403);
    const same = { origin: '', referer: 'http://localhost/settings/api-keys' };
    const allowed = await agent.request('POST', '/subaccounts', { body: { name: 'Referer' }, headers: same });
    expect(allowed.statusCode).toBe(201);
  });

  it('applies to sign-in and sign-up, which have no session yet', async () => {
    const outsider = ctx.agent();
    const headers = { origin: 'https://evil.example' };
    const signup = await outsider.request('POST', '/auth/signup', {
      body: { email: 'csrf-signup@example.com', password: 'correct horse battery' },
      headers,
    });
    expect(signup.statusCode).toBe(403);
    const login = await outsider.request('POST', '/auth/login', {
      body: { email: 'csrf-signup@example.com', password: 'correct horse battery' },
      headers,
    });
    expect(login.statusCode).toBe(403);
  });
});

describe('request bodies', () => {
  it('must be application/json: a text/plain body (what a cross-site form can send) answers 415', async () => {
    const response = await ctx.agent().request('POST', '/auth/login', {
      body: { email: 'a@example.com', password: 'whatever1' },
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('stay accepted in any content type on the Backpack API (its own rules are unchanged)', async () => {
    const response = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/order',
      headers: { 'content-type': 'text/plain' },
      payload: '{}',
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['set-cookie']).toBeUndefined();
  });
});
