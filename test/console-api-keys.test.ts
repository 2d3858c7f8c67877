/**
 * Settings → API Keys through the console API: keys made from browser-generated or pasted public keys, with
 * no secret ever in a response; invalid public keys refused with a reason; subaccounts; revocation; and
 * ownership: nobody lists, revokes or creates keys on another user's account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import {
  createConsoleTestContext,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

let ctx: ConsoleTestContext;
beforeAll(async () => {
  ctx = await createConsoleTestContext();
});
afterAll(() => ctx.close());

interface KeyView {
  id: string;
  name: string;
  apiKey: string;
  subaccountId: string;
  subaccountName: string;
  readOnly: boolean;
  source: string;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  revokedAt: number | null;
}
interface SubaccountView {
  id: string;
  name: string;
  number: number;
  isMain: boolean;
}

const listKeys = async (agent: ConsoleAgent): Promise<KeyView[]> =>
  (await agent.request('GET', '/keys')).json();
const listSubaccounts = async (agent: ConsoleAgent): Promise<SubaccountView[]> =>
  (await agent.request('GET', '/subaccounts')).json();

describe('subaccounts', () => {
  it('start with Main (number 0) and grow by name', async () => {
    const { agent } = await ctx.signedUpAgent();
    expect(await listSubaccounts(agent)).toEqual([
      expect.objectContaining({ name: 'Main', number: 0, isMain: true }),
    ]);
    const created = await agent.request('POST', '/subaccounts', { body: { name: 'Bot' } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Bot', number: 1, isMain: false });
    expect((await listSubaccounts(agent)).map((s) => s.name)).toEqual(['Main', 'Bot']);
    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string; details: object }>>();
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'subaccount.created', details: { subaccount: 'Bot' } }),
    );
  });

  it('refuse a duplicate or malformed name', async () => {
    const { agent } = await ctx.signedUpAgent();
    await agent.request('POST', '/subaccounts', { body: { name: 'Bot' } });
    expect((await agent.request('POST', '/subaccounts', { body: { name: 'Bot' } })).statusCode).toBe(409);
    expect((await agent.request('POST', '/subaccounts', { body: { name: '' } })).statusCode).toBe(400);
    expect((await agent.request('POST', '/subaccounts', { body: { name: '<script>' } })).statusCode).toBe(
      400,
    );
  });
});

describe('creating a key', () => {
  it('registers a browser-generated public key on the chosen subaccount; the key then signs requests', async () => {
    const { agent } = await ctx.signedUpAgent();
    const bot = (
      await agent.request('POST', '/subaccounts', { body: { name: 'Bot' } })
    ).json<SubaccountView>();
    const { response, apiKey, secret } = await ctx.createKey(agent, {
      name: 'trading bot',
      subaccountId: bot.id,
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({
      name: 'trading bot',
      apiKey,
      subaccountId: bot.id,
      subaccountName: 'Bot',
      readOnly: false,
      source: 'browser',
      revokedAt: null,
      lastUsedAt: null,
    });
    const capital = await ctx.signed({ apiKey, secret }, { method: 'GET', path: '/api/v1/capital' });
    expect(capital.statusCode).toBe(200);
  });

  it('never answers with a secret', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { response, secret } = await ctx.createKey(agent);
    expect(Object.keys(response.json())).not.toContain('secret');
    expect(response.body).not.toContain(secret);
    expect(response.body).not.toMatch(/secret/i);
    const listed = await agent.request('GET', '/keys');
    expect(listed.body).not.toMatch(/secret/i);
  });

  it('uses the main subaccount when none is named', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { response } = await ctx.createKey(agent);
    expect(response.json()).toMatchObject({ subaccountName: 'Main' });
  });

  it('records a pasted public key as the user’s, and a read-only key cannot trade (403)', async () => {
    const { agent } = await ctx.signedUpAgent();
    const pair = generateKeyPair();
    const response = await agent.request('POST', '/keys', {
      body: { name: 'viewer', publicKey: pair.apiKey, readOnly: true },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ source: 'user', readOnly: true });
    expect((await ctx.signed(pair, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
    const order = await ctx.signed(pair, {
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100', quantity: '1' },
    });
    expect(order.statusCode).toBe(403);
    expect(order.json()).toMatchObject({ code: 'FORBIDDEN' });
  });

  it.each([
    ['empty', '', /required/],
    ['not base64', 'this is not base64!', /base64/],
    ['the wrong length', Buffer.alloc(31, 7).toString('base64'), /32 bytes, got 31/],
    ['not a curve point', Buffer.alloc(32, 0xff).toString('base64'), /curve point|small-order/],
    ['a small-order point', Buffer.alloc(32, 0).toString('base64'), /small-order|curve point/],
  ])('refuses a public key that is %s, saying why', async (_what, publicKey, reason) => {
    const { agent } = await ctx.signedUpAgent();
    const response = await agent.request('POST', '/keys', { body: { name: 'bad', publicKey } });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'INVALID_CLIENT_REQUEST',
      message: expect.stringMatching(reason),
    });
    expect(await listKeys(agent)).toEqual([]);
  });

  it('refuses a public key that is already registered', async () => {
    const { agent } = await ctx.signedUpAgent();
    const { apiKey } = await ctx.createKey(agent);
    const again = await agent.request('POST', '/keys', { body: { name: 'dup', publicKey: apiKey } });
    expect(again.statusCode).toBe(409);
  });

  it('refuses a missing or over-long name', async () => {
    const { agent } = await ctx.signedUpAgent();
    expect((await ctx.createKey(agent, { name: '   ' })).response.statusCode).toBe(400);
    expect((await ctx.createKey(agent, { name: 'x'.repeat(65) })).response.statusCode).toBe(400);
  });
});

describe('listing and revoking', () => {
  it('lists keys newest first with subaccount name and last use (time and IP)', async () => {
    const { agent } = await ctx.signedUpAgent();
    const first = await ctx.createKey(agent, { name: 'first' });
    ctx.clock.now += 1000;
    await ctx.createKey(agent, { name: 'second' });
    await ctx.signed(first, { method: 'GET', path: '/api/v1/capital' });
    await ctx.verifier.lastUse.flush();
    const keys = await listKeys(agent);
    expect(keys.map((k) => k.name)).toEqual(['second', 'first']);
    expect(keys[1]).toMatchObject({
      subaccountName: 'Main',
      lastUsedAt: ctx.clock.now,
      lastUsedIp: '127.0.0.1',
    });
    expect(keys[0]).toMatchObject({ lastUsedAt: null, lastUsedIp: null });
  });

  it('revokes a key so its next request is refused (401), and records it', async () => {
    const { agent } = await ctx.signedUpAgent();
    const key = await ctx.createKey(agent);
    const id = key.response.json<KeyView>().id;
    const revoked = await agent.request('DELETE', `/keys/${id}`);
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<KeyView>().revokedAt).toBe(ctx.clock.now);
    const after = await ctx.signed(key, { method: 'GET', path: '/api/v1/capital' });
    expect(after.statusCode).toBe(401);
    const events = (await agent.request('GET', '/audit')).json<Array<{ type: string }>>();
    expect(events.map((e) => e.type)).toContain('api_key.revoked');
  });
});

describe('ownership', () => {
  let alice: ConsoleAgent;
  let bob: ConsoleAgent;
  let aliceKey: { apiKey: string; secret: string; id: string };
  let aliceBot: SubaccountView;

  beforeAll(async () => {
    ({ agent: alice } = await ctx.signedUpAgent());
    ({ agent: bob } = await ctx.signedUpAgent());
    aliceBot = (await alice.request('POST', '/subaccounts', { body: { name: 'Bot' } })).json();
    const created = await ctx.createKey(alice, { subaccountId: aliceBot.id });
    aliceKey = { ...created, id: created.response.json<KeyView>().id };
  });

  it("does not list another user's keys or subaccounts", async () => {
    expect(await listKeys(bob)).toEqual([]);
    expect((await listSubaccounts(bob)).map((s) => s.id)).not.toContain(aliceBot.id);
  });

  it("answers 404 to revoking another user's key, and the key keeps working", async () => {
    const response = await bob.request('DELETE', `/keys/${aliceKey.id}`);
    expect(response.statusCode).toBe(404);
    expect((await ctx.signed(aliceKey, { method: 'GET', path: '/api/v1/capital' })).statusCode).toBe(200);
  });

  it("answers 404 to creating a key on another user's subaccount", async () => {
    const { response } = await ctx.createKey(bob, { subaccountId: aliceBot.id });
    expect(response.statusCode).toBe(404);
    expect(await listKeys(bob)).toEqual([]);
  });

  it("does not show another user's audit events", async () => {
    const events = (await bob.request('GET', '/audit')).json<Array<{ type: string }>>();
    expect(events.map((e) => e.type)).toEqual(['user.created']);
  });
});
