/**
 * The console's exchange API (app.inject, browser-like agents): Deposit test funds lands in the balances and in
 * the signed API's deposit history of that subaccount's keys; orders, fills and withdrawals made through the
 * signed API show up on the console; every read and every deposit is limited to the caller's own subaccounts;
 * bad quantities and assets are refused with Backpack's `{code, message}`, and the dialog's own quantity check
 * accepts exactly what the server accepts.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkQuantity } from '../web/src/features/exchange/quantity-input.ts';
import {
  createConsoleTestContext,
  PASSWORD,
  type ConsoleAgent,
  type ConsoleTestContext,
} from './helpers/console-context.ts';

interface Subaccount {
  id: string;
  name: string;
  isMain: boolean;
}

interface Key {
  apiKey: string;
  secret: string;
}

/** A console key that may withdraw: the console's default is read + trade. */
const FULL_ACCESS = ['read', 'trade', 'withdraw'];
let ctx: ConsoleTestContext;
/** Alice: main + "Bot" subaccount, a key on Bot. Bob: another user, trades against Alice. */
let alice: ConsoleAgent;
let aliceMain: Subaccount;
let aliceBot: Subaccount;
let botKey: Key;
let bob: ConsoleAgent;
let bobKey: Key;

beforeAll(async () => {
  // No cooling-off here: the withdrawal test registers its address first and uses it at once.
  ctx = await createConsoleTestContext({ withdrawalAddresses: { mode: 'book', coolingOffMs: 0 } });
  alice = (await ctx.signedUpAgent()).agent;
  aliceBot = (await alice.request('POST', '/subaccounts', { body: { name: 'Bot' } })).json<Subaccount>();
  aliceMain = (await alice.request('GET', '/subaccounts')).json<Subaccount[]>()[0] as Subaccount;
  const created = await ctx.createKey(alice, { subaccountId: aliceBot.id, permissions: FULL_ACCESS });
  expect(created.response.statusCode).toBe(201);
  botKey = created;
  bob = (await ctx.signedUpAgent()).agent;
  bobKey = await ctx.createKey(bob, { permissions: FULL_ACCESS });
});
afterAll(() => ctx.close());

function deposit(agent: ConsoleAgent, body: Record<string, unknown>): Promise<LightMyRequestResponse> {
  return agent.request('POST', '/exchange/deposits', { body });
}

function read<T = Record<string, unknown>[]>(
  agent: ConsoleAgent,
  what: 'balances' | 'orders' | 'fills' | 'deposits' | 'withdrawals',
  subaccountId?: string,
): Promise<T> {
  const query = subaccountId === undefined ? '' : `?subaccountId=${encodeURIComponent(subaccountId)}`;
  return agent.request('GET', `/exchange/${what}${query}`).then((res) => {
    expect(res.statusCode, res.body).toBe(200);
    return res.json<T>();
  });
}

/** Backpack's `{code, message}`, plus Signet's stable `detail` where the situation has one (docs/ERRORS.md). */
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  const body = res.json();
  expect({ status: res.statusCode, body }).toEqual({
    status,
    body: {
      code,
      message: expect.any(String),
      ...(body.detail === undefined ? {} : { detail: expect.stringMatching(/^[A-Z_]+$/) }),
    },
  });
}

describe('GET /console/api/exchange/assets', () => {
  it('lists the configured assets with their deposit networks and the largest sandbox deposit', async () => {
    const res = await alice.request('GET', '/exchange/assets');
    expect(res.statusCode).toBe(200);
    const assets = res.json<{ symbol: string }[]>();
    expect(assets.map((asset) => asset.symbol)).toEqual(['USDC', 'USDT', 'SOL', 'BTC', 'ETH']);
    expect(assets[0]).toEqual({
      symbol: 'USDC',
      displayName: 'USD Coin',
      decimals: 6,
      maxDeposit: '1000000000',
      depositBlockchains: ['Solana', 'Ethereum', 'Arbitrum', 'Base', 'Polygon'],
    });
  });

  it('needs a session', async () => {
    expectError(await ctx.agent().request('GET', '/exchange/assets'), 401, 'UNAUTHORIZED');
  });
});

describe('POST /console/api/exchange/deposits (Deposit test funds)', () => {
  it('credits the chosen subaccount: the console balances and the signed API deposit history show it', async () => {
    const res = await deposit(alice, {
      subaccountId: aliceBot.id,
      symbol: 'USDC',
      quantity: '1000.5',
      blockchain: 'Ethereum',
    });
    expect(res.statusCode, res.body).toBe(201);
    const made = res.json<{ id: number }>();
    expect(made).toEqual({
      id: expect.any(Number),
      symbol: 'USDC',
      quantity: '1000.5',
      blockchain: 'Ethereum',
      source: 'ethereum',
      toAddress: expect.stringMatching(/^0x[0-9a-f]{40}$/i),
      fromAddress: null,
      transactionHash: expect.any(String),
      status: 'confirmed',
      createdAt: ctx.clock.now,
    });

    expect(await read(alice, 'balances', aliceBot.id)).toEqual([
      { symbol: 'USDC', available: '1000.5', locked: '0', staked: '0', total: '1000.5' },
    ]);
    expect(await read(alice, 'balances', aliceMain.id)).toEqual([]);
    expect(await read(alice, 'deposits', aliceBot.id)).toEqual([res.json()]);

    const wire = await ctx.signed(botKey, { method: 'GET', path: '/wapi/v1/capital/deposits' });
    expect(wire.statusCode).toBe(200);
    expect(wire.json()).toEqual([
      expect.objectContaining({ id: made.id, symbol: 'USDC', quantity: '1000.5', source: 'ethereum' }),
    ]);
    const capital = await ctx.signed(botKey, { method: 'GET', path: '/api/v1/capital' });
    expect(capital.json()).toEqual({ USDC: { available: '1000.5', locked: '0', staked: '0' } });
  });

  it("defaults to the main subaccount and the asset's first deposit network", async () => {
    const res = await deposit(alice, { symbol: 'SOL', quantity: '2.000000001' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ symbol: 'SOL', quantity: '2.000000001', blockchain: 'Solana' });
    expect(await read(alice, 'balances')).toEqual([
      { symbol: 'SOL', available: '2.000000001', locked: '0', staked: '0', total: '2.000000001' },
    ]);
  });

  it.each([
    ['an empty quantity', ''],
    ['a negative quantity', '-1'],
    ['zero', '0'],
    ['an exponent', '1e5'],
    ['a comma', '1,5'],
    ['spaces', ' 10'],
    ['more decimals than USDC has', '1.0000001'],
    ['more than one sandbox deposit may be', '1000000000.000001'],
    ['a JSON number (digits may already be lost)', 1000],
    ['null', null],
  ])('refuses %s with INVALID_QUANTITY', async (_name, quantity) => {
    const res = await deposit(alice, { subaccountId: aliceBot.id, symbol: 'USDC', quantity });
    expectError(res, 400, 'INVALID_QUANTITY');
  });

  it('refuses an unknown asset, a network the asset is not on, and unknown fields', async () => {
    expectError(await deposit(alice, { symbol: 'DOGE', quantity: '1' }), 400, 'INVALID_ASSET');
    expectError(
      await deposit(alice, { symbol: 'SOL', quantity: '1', blockchain: 'Bitcoin' }),
      400,
      'INVALID_CLIENT_REQUEST',
    );
    expectError(await deposit(alice, { quantity: '1' }), 400, 'INVALID_CLIENT_REQUEST');
    expectError(
      await deposit(alice, { symbol: 'USDC', quantity: '1', userId: 'usr_someone' }),
      400,
      'INVALID_CLIENT_REQUEST',
    );
    expect(await read(alice, 'balances', aliceBot.id)).toEqual([
      expect.objectContaining({ symbol: 'USDC', total: '1000.5' }),
    ]);
  });

  it('needs a session and the CSRF token', async () => {
    expectError(
      await ctx.agent().request('POST', '/exchange/deposits', { body: { symbol: 'USDC', quantity: '1' } }),
      401,
      'UNAUTHORIZED',
    );
    expectError(
      await alice.request('POST', '/exchange/deposits', {
        body: { symbol: 'USDC', quantity: '1' },
        csrf: false,
      }),
      403,
      'FORBIDDEN',
    );
  });
});

describe("the Deposit test funds dialog's own quantity check", () => {
  let carol: ConsoleAgent;
  beforeAll(async () => {
    carol = (await ctx.signedUpAgent()).agent;
  });

  it.each([
    '1',
    '0.000001',
    '00012.5',
    '1.10000000',
    '1000000000',
    '1000000000.000001',
    '1.0000001',
    '0',
    '0.0',
    '',
    '.5',
    '5.',
    '+1',
    '1e3',
    '0x10',
    '1 000',
    '١',
  ])('agrees with the server on %j', async (quantity) => {
    const res = await deposit(carol, { symbol: 'USDC', quantity });
    const uiAccepts = checkQuantity(quantity, { decimals: 6, max: '1000000000' }) === undefined;
    expect(uiAccepts, `server answered ${res.body}`).toBe(res.statusCode === 201);
  });
});

describe('orders, fills and withdrawals made through the signed API', () => {
  it('shows an order placed with a key on the console, then its fill after another user trades with it', async () => {
    const placed = await ctx.signed(botKey, {
      method: 'POST',
      path: '/api/v1/order',
      body: {
        symbol: 'SOL_USDC',
        side: 'Bid',
        orderType: 'Limit',
        price: '100.25',
        quantity: '2',
        clientId: 7,
      },
    });
    expect(placed.statusCode, placed.body).toBe(200);
    const orderId = placed.json<{ id: string }>().id;

    expect(await read(alice, 'orders', aliceBot.id)).toEqual([
      {
        id: orderId,
        clientId: 7,
        symbol: 'SOL_USDC',
        side: 'Bid',
        orderType: 'Limit',
        timeInForce: 'GTC',
        postOnly: false,
        price: '100.25',
        quantity: '2',
        quoteQuantity: null,
        executedQuantity: '0',
        executedQuoteQuantity: '0',
        status: 'New',
        createdAt: ctx.clock.now,
      },
    ]);
    expect(await read(alice, 'orders', aliceMain.id)).toEqual([]);
    expect(await read(alice, 'balances', aliceBot.id)).toEqual([
      { symbol: 'USDC', available: '800', locked: '200.5', staked: '0', total: '1000.5' },
    ]);

    // Bob sells 0.5 SOL into Alice's bid: Alice is the maker and pays her fee in SOL (what she received).
    expect((await deposit(bob, { symbol: 'SOL', quantity: '10' })).statusCode).toBe(201);
    const sold = await ctx.signed(bobKey, {
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side: 'Ask', orderType: 'Market', quantity: '0.5' },
    });
    expect(sold.statusCode, sold.body).toBe(200);

    expect(await read(alice, 'orders', aliceBot.id)).toEqual([
      expect.objectContaining({ id: orderId, status: 'PartiallyFilled', executedQuantity: '0.5' }),
    ]);
    expect(await read(alice, 'fills', aliceBot.id)).toEqual([
      {
        tradeId: expect.any(Number),
        orderId,
        symbol: 'SOL_USDC',
        side: 'Bid',
        price: '100.25',
        quantity: '0.5',
        fee: '0.0001',
        feeSymbol: 'SOL',
        isMaker: true,
        timestamp: ctx.clock.now,
      },
    ]);
    expect(await read(bob, 'fills')).toEqual([
      expect.objectContaining({ side: 'Ask', isMaker: false, feeSymbol: 'USDC', quantity: '0.5' }),
    ]);
  });

  it('lists a withdrawal requested with a key', async () => {
    const body = {
      symbol: 'USDC',
      blockchain: 'Ethereum',
      quantity: '20',
      address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
    };
    const added = await alice.request('POST', '/withdrawal-addresses', {
      body: {
        label: 'Cold wallet',
        blockchain: 'Ethereum',
        address: body.address,
        twoFactorRequired: false,
        password: PASSWORD,
      },
    });
    expect(added.statusCode, added.body).toBe(201);
    const res = await ctx.signed(botKey, { method: 'POST', path: '/wapi/v1/capital/withdrawals', body });
    expect(res.statusCode, res.body).toBe(200);
    expect(await read(alice, 'withdrawals', aliceBot.id)).toEqual([
      {
        id: res.json<{ id: number }>().id,
        symbol: 'USDC',
        quantity: '20',
        fee: '5',
        blockchain: 'Ethereum',
        toAddress: body.address,
        transactionHash: null,
        status: 'pending',
        createdAt: ctx.clock.now,
      },
    ]);
    expect(await read(alice, 'withdrawals', aliceMain.id)).toEqual([]);
  });
});

describe('ownership', () => {
  it.each(['balances', 'orders', 'fills', 'deposits', 'withdrawals'] as const)(
    "refuses to show another user's subaccount: %s",
    async (what) => {
      const res = await bob.request('GET', `/exchange/${what}?subaccountId=${aliceBot.id}`);
      expectError(res, 404, 'RESOURCE_NOT_FOUND');
      expect(res.body).not.toContain('USDC');
    },
  );

  it("refuses to fund another user's subaccount and leaves its balance alone", async () => {
    const before = await read(alice, 'balances', aliceBot.id);
    expectError(
      await deposit(bob, { subaccountId: aliceBot.id, symbol: 'USDC', quantity: '5' }),
      404,
      'RESOURCE_NOT_FOUND',
    );
    expect(await read(alice, 'balances', aliceBot.id)).toEqual(before);
    expect(await read(alice, 'deposits', aliceBot.id)).toHaveLength(1);
  });

  it('shows every user only their own main subaccount by default', async () => {
    expect(await read(bob, 'balances')).toEqual([
      expect.objectContaining({ symbol: 'USDC' }),
      expect.objectContaining({ symbol: 'SOL', total: '9.5' }),
    ]);
  });

  it('refuses unknown query parameters instead of ignoring a misspelt subaccount', async () => {
    const res = await alice.request('GET', `/exchange/balances?subaccount=${aliceBot.id}`);
    expectError(res, 400, 'INVALID_CLIENT_REQUEST');
  });
});
