/**
 * Key controls through the console API: permissions, allowlist and expiry at creation; editing (widening needs the
 * TOTP code, narrowing and renaming do not); rotation; revoke and revoke-all with 2FA; the usage read-out; the
 * operator's withdrawals-opt-in setting; and a reused TOTP code told apart from a wrong one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import {
  createConsoleTestContext,
  PASSWORD,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

interface KeyView {
  id: string;
  name: string;
  apiKey: string;
  readOnly: boolean;
  permissions: string[];
  allowedIps: string[];
  expiresAt: number | null;
  revokedAt: number | null;
}

const CAPITAL = { method: 'GET', path: '/api/v1/capital' } as const;
const DAY = 24 * 3600_000;

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

/** Moves the clock one TOTP step on, so the next code is unspent. */
const nextStep = () => {
  ctx.clock.now += 30_000;
};

describe('creating a key with controls', () => {
  it('stores permissions, the canonical allowlist and the expiry, and shows them', async () => {
    const { agent } = await ctx.signedUpAgent();
    const expiresAt = new Date(ctx.clock.now + 30 * DAY).toISOString();
    const { response } = await ctx.createKey(agent, {
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1', '2001:DB8::/32'],
      expiresAt,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      readOnly: false,
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1', '2001:db8::/32'],
      expiresAt: Date.parse(expiresAt),
    });
  });

  it.each([
    [{ permissions: ['trade'] }, 'add read'],
    [{ allowedIps: ['0.0.0.0/0'] }, 'allows every address'],
    [{ allowedIps: ['10.0.0.1/8'] }, 'did you mean 10.0.0.0/8?'],
    [{ allowedIps: Array.from({ length: 31 }, (_, i) => `10.0.0.${i}`) }, 'at most 30'],
    [{ expiresAt: '2020-01-01T00:00:00Z' }, 'in the future'],
    [{ expiresAt: '2030-01-01T10:00' }, 'with a zone'],
    [{ readOnly: true, permissions: ['read', 'trade'] }, 'read permission only'],
  ])('refuses %j with a 400 that says why', async (body, message) => {
    const { agent } = await ctx.signedUpAgent();
    const { response } = await ctx.createKey(agent, body);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ message: string }>().message).toContain(message);
  });

  it('accepts 0.0.0.0/0 with the confirmation', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { response } = await ctx.createKey(agent, { allowedIps: ['0.0.0.0/0'], allowAnyAddress: true });
    expect(response.json()).toMatchObject({ allowedIps: ['0.0.0.0/0'] });
  });

  it('gives a console key read + trade by default: withdraw only when asked (regression: a default key could withdraw)', async () => {
    const { agent } = await ctx.signedUpAgent();
    const created = await ctx.createKey(agent);
    expect(created.response.json()).toMatchObject({ permissions: ['read', 'trade'], readOnly: false });
    const withdrawal = await ctx.signed(created, {
      method: 'POST',
      path: '/wapi/v1/capital/withdrawals',
      body: {
        symbol: 'USDC',
        blockchain: 'Solana',
        quantity: '1',
        address: '11111111111111111111111111111111',
      },
    });
    expect(withdrawal.statusCode).toBe(403);
    expect(withdrawal.json()).toMatchObject({ message: expect.stringContaining('withdraw permission') });
    const full = await ctx.createKey(agent, { permissions: ['read', 'trade', 'withdraw'] });
    expect(full.response.json()).toMatchObject({ permissions: ['read', 'trade', 'withdraw'] });
    expect((await ctx.createKey(agent, { readOnly: true })).response.json()).toMatchObject({
      permissions: ['read'],
    });
  });
});

describe('editing a key (2FA on)', () => {
  let agent: ConsoleAgent;
  let secret: string;
  let key: { apiKey: string; secret: string; id: string };
  beforeAll(async () => {
    ({ agent } = await ctx.signedUpAgent());
    secret = await ctx.enableTwoFactor(agent);
    nextStep();
    const created = await ctx.createKey(agent, {
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1'],
      totpCode: ctx.totpCode(secret),
    });
    key = { ...created, id: created.response.json<KeyView>().id };
  });

  it('renames and narrows without a code', async () => {
    const res = await agent.request('PATCH', `/keys/${key.id}`, {
      body: {
        name: 'renamed',
        permissions: ['read'],
        expiresAt: new Date(ctx.clock.now + DAY).toISOString(),
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'renamed', permissions: ['read'], readOnly: true });
    // Effective on the next request: the key is read-only now.
    const order = await ctx.signed(key, {
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '1', quantity: '1' },
    });
    expect(order.statusCode).toBe(403);
  });

  it('refuses to widen without the code, and widens with it', async () => {
    const widen = { permissions: ['read', 'trade', 'withdraw'], allowedIps: ['127.0.0.1', '10.0.0.0/8'] };
    const refused = await agent.request('PATCH', `/keys/${key.id}`, { body: widen });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ code: 'INVALID_TWO_FACTOR_CODE' });
    nextStep();
    const ok = await agent.request('PATCH', `/keys/${key.id}`, {
      body: { ...widen, totpCode: ctx.totpCode(secret) },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      permissions: ['read', 'trade', 'withdraw'],
      allowedIps: widen.allowedIps,
    });
  });

  it('tells a reused code apart from a wrong one', async () => {
    nextStep();
    const code = ctx.totpCode(secret);
    const body = { expiresAt: null, totpCode: code };
    expect((await agent.request('PATCH', `/keys/${key.id}`, { body })).statusCode).toBe(200);
    const reused = await agent.request('PATCH', `/keys/${key.id}`, {
      body: { allowedIps: null, totpCode: code },
    });
    expect(reused.json()).toEqual({
      code: 'INVALID_TWO_FACTOR_CODE',
      message: 'This code was already used; wait for the next one.',
      detail: 'TWO_FACTOR_CODE_REUSED',
    });
    const wrong = await agent.request('PATCH', `/keys/${key.id}`, {
      body: { allowedIps: null, totpCode: code === '000000' ? '111111' : '000000' },
    });
    expect(wrong.json<{ message: string }>().message).toMatch(/^The two-factor code is not valid/);
  });

  it('records every change with before and after', async () => {
    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string; details: never }>>();
    const updates = events.filter((e) => e.type === 'api_key.updated');
    expect(updates.length).toBe(3);
    expect(updates.at(-1)?.details).toMatchObject({
      before: { name: expect.any(String), permissions: ['read', 'trade'], allowedIps: ['127.0.0.1'] },
      after: { name: 'renamed', permissions: ['read'] },
      widened: [],
    });
    expect(updates[1]?.details).toMatchObject({
      widened: ['permission trade', 'permission withdraw', 'address 10.0.0.0/8'],
    });
  });

  it('needs the code to revoke', async () => {
    const refused = await agent.request('DELETE', `/keys/${key.id}`);
    expect(refused.statusCode).toBe(400);
    nextStep();
    const ok = await agent.request('DELETE', `/keys/${key.id}`, { body: { totpCode: ctx.totpCode(secret) } });
    expect(ok.statusCode).toBe(200);
    expect((await ctx.signed(key, CAPITAL)).statusCode).toBe(401);
  });
});

describe('rotating a key', () => {
  it('makes a new key with the same controls; the old one works until the grace ends', async () => {
    const { agent } = await ctx.signedUpAgent();
    const secret = await ctx.enableTwoFactor(agent);
    nextStep();
    const created = await ctx.createKey(agent, {
      name: 'bot',
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1'],
      totpCode: ctx.totpCode(secret),
    });
    const old = { ...created, id: created.response.json<KeyView>().id };
    const pair = generateKeyPair();
    nextStep();
    const start = ctx.clock.now;
    const res = await agent.request('POST', `/keys/${old.id}/rotate`, {
      body: { publicKey: pair.apiKey, grace: '24h', totpCode: ctx.totpCode(secret) },
    });
    expect(res.statusCode).toBe(201);
    const { old: oldView, key: newView } = res.json<{ old: KeyView; key: KeyView }>();
    expect(oldView.expiresAt).toBe(start + DAY);
    expect(newView).toMatchObject({
      name: 'bot',
      apiKey: pair.apiKey,
      permissions: ['read', 'trade'],
      allowedIps: ['127.0.0.1'],
      expiresAt: null,
    });
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(200);
    expect((await ctx.signed(pair, CAPITAL)).statusCode).toBe(200);
    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string }>>();
    expect(events.map((e) => e.type)).toContain('api_key.rotated');
    ctx.clock.now = start + DAY;
    expect((await ctx.signed(old, CAPITAL)).statusCode).toBe(401);
    expect((await ctx.signed(pair, CAPITAL)).statusCode).toBe(200);
  });

  it('links the two keys in the list and tells grace from retired (regression: two rows with one name, no link)', async () => {
    const { agent } = await ctx.signedUpAgent();
    const created = await ctx.createKey(agent, { name: 'linked' });
    const oldId = created.response.json<KeyView>().id;
    const start = ctx.clock.now;
    const res = await agent.request('POST', `/keys/${oldId}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '1h', password: PASSWORD },
    });
    const { old: oldView, key: newView } = res.json<{ old: KeyView; key: KeyView }>();
    expect(oldView).toMatchObject({ status: 'grace', replacedBy: newView.id, expiresAt: start + 3600_000 });
    expect(newView).toMatchObject({ status: 'active', replaces: oldId, replacedBy: null });
    const list = async () =>
      (await agent.request('GET', '/keys'))
        .json<Array<KeyView & { status: string; replaces: string | null; replacedBy: string | null }>>()
        .map((k) => [k.id, k.status, k.replacedBy, k.replaces])
        .sort((a, b) => (a[0] === oldId ? 1 : b[0] === oldId ? -1 : 0));
    expect(await list()).toEqual([
      [newView.id, 'active', null, oldId],
      [oldId, 'grace', newView.id, null],
    ]);
    ctx.clock.now = start + 3600_000;
    expect(await list()).toEqual([
      [newView.id, 'active', null, oldId],
      [oldId, 'retired', newView.id, null],
    ]);
    ctx.clock.now = Date.now();
  });

  it('refuses a grace period that is not offered', async () => {
    const { agent } = await ctx.signedUpAgent();
    const created = await ctx.createKey(agent);
    const res = await agent.request('POST', `/keys/${created.response.json<KeyView>().id}/rotate`, {
      body: { publicKey: generateKeyPair().apiKey, grace: '2h' },
    });
    expect(res.statusCode).toBe(400);
  });
});

describe('revoke all', () => {
  it("revokes one subaccount's keys, then the account's, and says which", async () => {
    const { agent } = await ctx.signedUpAgent();
    const bot = (await agent.request('POST', '/subaccounts', { body: { name: 'Bot' } })).json<{
      id: string;
    }>();
    const mainKey = await ctx.createKey(agent);
    const botKey = await ctx.createKey(agent, { subaccountId: bot.id });
    const first = await agent.request('POST', '/keys/revoke-all', {
      body: { subaccountId: bot.id, password: PASSWORD },
    });
    expect(first.json<{ revoked: KeyView[] }>().revoked.map((k) => k.apiKey)).toEqual([botKey.apiKey]);
    expect((await ctx.signed(botKey, CAPITAL)).statusCode).toBe(401);
    expect((await ctx.signed(mainKey, CAPITAL)).statusCode).toBe(200);
    const all = await agent.request('POST', '/keys/revoke-all', { body: { password: PASSWORD } });
    expect(all.json<{ revoked: KeyView[] }>().revoked.map((k) => k.apiKey)).toEqual([mainKey.apiKey]);
    expect((await ctx.signed(mainKey, CAPITAL)).statusCode).toBe(401);
  });
});

describe('usage', () => {
  it('shows requests per minute and recent refusals for the caller’s own key only', async () => {
    const { agent } = await ctx.signedUpAgent();
    const created = await ctx.createKey(agent, { readOnly: true });
    const id = created.response.json<KeyView>().id;
    await ctx.signed(created, CAPITAL);
    await ctx.signed(created, CAPITAL);
    await ctx.signed(created, { method: 'DELETE', path: '/api/v1/orders', body: { symbol: 'SOL_USDC' } });
    await ctx.verifier.usage.flush();
    const usage = (await agent.request('GET', `/keys/${id}/usage`)).json<{
      totals: Record<string, number>;
      minutes: unknown[];
      refusals: Array<{ reason: string; instruction: string }>;
    }>();
    expect(usage.totals).toMatchObject({ ok: 2, permission: 1 });
    expect(usage.refusals).toEqual([
      expect.objectContaining({ reason: 'permission', instruction: 'orderCancelAll' }),
    ]);
    const { agent: other } = await ctx.signedUpAgent();
    expect((await other.request('GET', `/keys/${id}/usage`)).statusCode).toBe(404);
  });
});
