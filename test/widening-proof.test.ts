/**
 * Widening always needs proof (issue 21.7). Regression: with 2FA off, adding `withdraw`, clearing the allowlist,
 * rotating to a chosen public key and revoke-all needed only the session, while the address book asked for the
 * password in the same case. Now each needs the password (2FA off) or a fresh code (2FA on); narrowing, renaming
 * and revoking one key do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import {
  createConsoleTestContext,
  PASSWORD,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

const CAPITAL = { method: 'GET', path: '/api/v1/capital' } as const;
const DAY = 24 * 3600_000;

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

async function keyOf(agent: ConsoleAgent, body: Record<string, unknown> = {}) {
  const created = await ctx.createKey(agent, body);
  return { ...created, id: created.response.json<{ id: string }>().id };
}

describe('with 2FA off, a stolen session alone cannot widen a key (regression: the session was enough)', () => {
  const widenings: Array<[string, Record<string, unknown>, Record<string, unknown>]> = [
    ['adding withdraw', {}, { permissions: ['read', 'trade', 'withdraw'] }],
    ['clearing the allowlist', { allowedIps: ['127.0.0.1'] }, { allowedIps: null }],
    ['adding an address', { allowedIps: ['127.0.0.1'] }, { allowedIps: ['127.0.0.1', '192.0.2.0/24'] }],
    ['a later expiry', { expiresAt: new Date(Date.now() + DAY).toISOString() }, { expiresAt: null }],
  ];

  it.each(widenings)('refuses %s without the password, and a wrong one', async (_, create, change) => {
    const { agent } = await ctx.signedUpAgent();
    const key = await keyOf(agent, create);
    const bare = await agent.request('PATCH', `/keys/${key.id}`, { body: change });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({ detail: 'PASSWORD_REQUIRED' });
    const wrong = await agent.request('PATCH', `/keys/${key.id}`, {
      body: { ...change, password: 'not the password' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toMatchObject({ detail: 'PASSWORD_WRONG' });
    const before = (await agent.request('GET', '/keys')).json<Array<{ id: string }>>();
    expect(before.find((k) => k.id === key.id)).toMatchObject(key.response.json<object>());
    const ok = await agent.request('PATCH', `/keys/${key.id}`, { body: { ...change, password: PASSWORD } });
    expect(ok.statusCode).toBe(200);
  });

  it('lets narrowing and renaming through without it', async () => {
    const { agent } = await ctx.signedUpAgent();
    const key = await keyOf(agent);
    const res = await agent.request('PATCH', `/keys/${key.id}`, {
      body: { name: 'narrowed', permissions: ['read'], allowedIps: ['127.0.0.1'] },
    });
    expect(res.statusCode).toBe(200);
  });

  it('refuses a rotation to a chosen public key without the password', async () => {
    const { agent } = await ctx.signedUpAgent();
    const key = await keyOf(agent);
    const attacker = generateKeyPair();
    const bare = await agent.request('POST', `/keys/${key.id}/rotate`, {
      body: { publicKey: attacker.apiKey, publicKeySource: 'user', grace: '0' },
    });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({ detail: 'PASSWORD_REQUIRED' });
    expect((await ctx.signed(attacker, CAPITAL)).statusCode).toBe(401);
    expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(200);
    const ok = await agent.request('POST', `/keys/${key.id}/rotate`, {
      body: { publicKey: attacker.apiKey, publicKeySource: 'user', grace: '0', password: PASSWORD },
    });
    expect(ok.statusCode).toBe(201);
  });

  it('refuses revoke-all without the password; revoking one key stays one step', async () => {
    const { agent } = await ctx.signedUpAgent();
    const first = await keyOf(agent);
    const second = await keyOf(agent);
    const bare = await agent.request('POST', '/keys/revoke-all', { body: {} });
    expect(bare.statusCode).toBe(403);
    expect(bare.json()).toMatchObject({ detail: 'PASSWORD_REQUIRED' });
    expect((await ctx.signed(first, CAPITAL)).statusCode).toBe(200);
    expect((await agent.request('DELETE', `/keys/${second.id}`)).statusCode).toBe(200);
    const ok = await agent.request('POST', '/keys/revoke-all', { body: { password: PASSWORD } });
    expect(ok.json<{ revoked: unknown[] }>().revoked).toHaveLength(1);
  });
});

describe('with 2FA on', () => {
  it('a password is no substitute for the code', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    ctx.clock.now += 30_000;
    const key = await keyOf(agent, { totpCode: ctx.totpCode(secret) });
    const res = await agent.request('POST', '/keys/revoke-all', { body: { password: PASSWORD } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(200);
  });
});
