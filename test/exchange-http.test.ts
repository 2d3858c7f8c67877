/**
 * The exchange over HTTP (app.inject with signed requests): Backpack's shapes and codes for orders, history,
 * capital and public market data; subaccount isolation; read-only keys; and never a 500 for bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { User } from '../src/accounts/accounts-service.ts';
import { createTestContext, type TestContext, type TestKey } from './helpers/context.ts';

let ctx: TestContext;
let user: User;
let main: TestKey;
let bot: TestKey;
let readOnly: TestKey;
let otherUser: TestKey;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
  await ctx.createSubaccount(user, 'Bot');
  main = await ctx.createKey(user);
  bot = await ctx.createKey(user, { subaccountName: 'Bot' });
  readOnly = await ctx.createKey(user, { readOnly: true });
  const other = await ctx.createUser();
  otherUser = await ctx.createKey(other);
  await ctx.exchange.depositTestFunds({ userId: user.id, symbol: 'USDC', quantity: '10000' });
  await ctx.exchange.depositTestFunds({
    userId: user.id,
    subaccountName: 'Bot',
    symbol: 'SOL',
    quantity: '100',
  });
  await ctx.exchange.depositTestFunds({ userId: other.id, symbol: 'SOL', quantity: '100' });
});
afterAll(async () => {
  expect((await ctx.exchange.audit()).problems).toEqual([]);
  await ctx.close();
});

const post = (key: TestKey, body: Record<string, unknown>) =>
  ctx.signed(key, { method: 'POST', path: '/api/v1/order', body: body as never });

function expectError(res: { statusCode: number; json: () => unknown }, status: number, code: string): void {
  expect({ status: res.statusCode, code: (res.json() as { code: string }).code }).toEqual({ status, code });
}

describe('POST /api/v1/order', () => {
  it('answers Backpack’s order object, createdAt in ms, and locks the funds', async () => {
    const res = await post(main, {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      price: '100.5',
      quantity: '2',
      clientId: 11,
      brokerId: 1400, // unknown fields (ccxt passes them through) are ignored
    });
    expect(res.statusCode).toBe(200);
    const order = res.json();
    expect(order).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      clientId: 11,
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      timeInForce: 'GTC',
      selfTradePrevention: 'RejectTaker',
      status: 'New',
      price: '100.5',
      quantity: '2',
      postOnly: false,
      executedQuantity: '0',
      executedQuoteQuantity: '0',
      createdAt: ctx.clock.now,
      triggerPrice: null,
    });
    expect(order).not.toHaveProperty('subaccountId');
    const balances = await ctx.signed(main, { method: 'GET', path: '/api/v1/capital' });
    expect(balances.json()).toEqual({ USDC: { available: '9799', locked: '201', staked: '0' } });
  });

  it('refuses bad orders with Backpack codes', async () => {
    const base = { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '100', quantity: '1' };
    expectError(await post(main, { ...base, price: '100.001' }), 400, 'INVALID_PRICE');
    expectError(await post(main, { ...base, quantity: '0.001' }), 400, 'INVALID_QUANTITY');
    expectError(await post(main, { ...base, quantity: '1000' }), 400, 'INSUFFICIENT_FUNDS');
    expectError(await post(main, { ...base, symbol: 'DOGE_USDC' }), 400, 'INVALID_CLIENT_REQUEST');
    expectError(await post(main, { ...base, side: 'Buy' }), 400, 'INVALID_CLIENT_REQUEST');
    expectError(await post(main, { ...base, triggerPrice: '90' }), 400, 'INVALID_ORDER');
    expectError(await post(main, { ...base, price: 'abc' }), 400, 'INVALID_CLIENT_REQUEST');
    expectError(await post(main, { ...base, price: '-1' }), 400, 'INVALID_CLIENT_REQUEST');
  });

  it('is refused to a read-only key', async () => {
    expectError(await post(readOnly, { symbol: 'SOL_USDC' }), 403, 'FORBIDDEN');
  });
});

describe('trading between two subaccounts over HTTP', () => {
  it('fills, and each side sees its fill in /wapi/v1/history/fills', async () => {
    const sell = await post(bot, {
      symbol: 'SOL_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '100.5',
      quantity: '1',
    });
    expect(sell.json()).toMatchObject({
      status: 'Filled',
      executedQuantity: '1',
      executedQuoteQuantity: '100.5',
    });
    const mine = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/history/fills',
      query: { symbol: 'SOL_USDC' },
    });
    const theirs = await ctx.signed(bot, {
      method: 'GET',
      path: '/wapi/v1/history/fills',
      query: { fillType: 'User' },
    });
    expect(mine.json()).toEqual([
      expect.objectContaining({
        tradeId: expect.any(Number),
        clientId: 11,
        side: 'Bid',
        price: '100.5',
        quantity: '1',
        fee: '0.0002',
        feeSymbol: 'SOL',
        isMaker: true,
        timestamp: new Date(ctx.clock.now).toISOString().slice(0, 23),
      }),
    ]);
    expect(theirs.json()).toEqual([
      expect.objectContaining({ side: 'Ask', isMaker: false, fee: '0.05025', feeSymbol: 'USDC' }),
    ]);
    const liquidations = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/history/fills',
      query: { fillType: 'Liquidation' },
    });
    expect(liquidations.json()).toEqual([]);
  });

  it('reports the partially filled bid in GET /api/v1/order and /api/v1/orders', async () => {
    const byClientId = await ctx.signed(main, {
      method: 'GET',
      path: '/api/v1/order',
      query: { symbol: 'SOL_USDC', clientId: 11 },
    });
    expect(byClientId.json()).toMatchObject({
      status: 'PartiallyFilled',
      executedQuantity: '1',
      executedQuoteQuantity: '100.5',
    });
    const open = await ctx.signed(main, { method: 'GET', path: '/api/v1/orders' });
    expect(open.json()).toHaveLength(1);
    const perps = await ctx.signed(main, {
      method: 'GET',
      path: '/api/v1/orders',
      query: { marketType: 'PERP' },
    });
    expect(perps.json()).toEqual([]);
  });

  it('never shows or cancels one subaccount’s order to another subaccount or user', async () => {
    const id = (await ctx.signed(main, { method: 'GET', path: '/api/v1/orders' })).json()[0].id as string;
    for (const key of [bot, otherUser]) {
      const query = { symbol: 'SOL_USDC', orderId: id };
      expectError(
        await ctx.signed(key, { method: 'GET', path: '/api/v1/order', query }),
        404,
        'RESOURCE_NOT_FOUND',
      );
      expectError(
        await ctx.signed(key, { method: 'DELETE', path: '/api/v1/order', body: query }),
        404,
        'RESOURCE_NOT_FOUND',
      );
      const all = await ctx.signed(key, {
        method: 'DELETE',
        path: '/api/v1/orders',
        body: { symbol: 'SOL_USDC' },
      });
      expect(all.json()).toEqual([]);
    }
    expect((await ctx.signed(main, { method: 'GET', path: '/api/v1/orders' })).json()).toHaveLength(1);
  });

  it('cancels by orderId and answers the cancelled order; a second cancel is 404', async () => {
    const id = (await ctx.signed(main, { method: 'GET', path: '/api/v1/orders' })).json()[0].id as string;
    const res = await ctx.signed(main, {
      method: 'DELETE',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', orderId: id },
    });
    expect(res.json()).toMatchObject({ id, status: 'Cancelled', executedQuantity: '1' });
    const again = await ctx.signed(main, {
      method: 'DELETE',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', orderId: id },
    });
    expectError(again, 404, 'RESOURCE_NOT_FOUND');
    const both = await ctx.signed(main, {
      method: 'DELETE',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', orderId: id, clientId: 11 },
    });
    expectError(both, 400, 'INVALID_CLIENT_REQUEST');
  });

  it('lists history with naive date-times, newest first, filtered and paged', async () => {
    const res = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/history/orders',
      query: { symbol: 'SOL_USDC', limit: 5 },
    });
    const [latest] = res.json();
    expect(latest).toMatchObject({
      status: 'Cancelled',
      createdAt: new Date(ctx.clock.now).toISOString().slice(0, 23),
      expiryReason: null,
    });
    const bad = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/history/orders',
      query: { limit: 5000 },
    });
    expectError(bad, 400, 'INVALID_CLIENT_REQUEST');
  });
});

describe('POST /api/v1/orders', () => {
  it('answers one item per order: the order with operation Ok, or operation Err with a code', async () => {
    const res = await ctx.signed(main, {
      method: 'POST',
      path: '/api/v1/orders',
      body: [
        { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '90', quantity: '1' },
        { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '90.001', quantity: '1' },
        { symbol: 'ETH_USDC', side: 'Bid', orderType: 'Limit', price: '2000', quantity: '100' },
      ],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      expect.objectContaining({ operation: 'Ok', status: 'New', price: '90' }),
      { operation: 'Err', code: 'INVALID_PRICE', message: expect.any(String) },
      { operation: 'Err', code: 'INSUFFICIENT_FUNDS', message: expect.any(String) },
    ]);
    const all = await ctx.signed(main, {
      method: 'DELETE',
      path: '/api/v1/orders',
      body: { symbol: 'SOL_USDC' },
    });
    expect(all.json()).toEqual([expect.objectContaining({ status: 'Cancelled', price: '90' })]);
  });
});

describe('capital over HTTP', () => {
  it('lists deposits in Backpack’s shape', async () => {
    const res = await ctx.signed(readOnly, {
      method: 'GET',
      path: '/wapi/v1/capital/deposits',
      query: { limit: 10 },
    });
    expect(res.json()).toEqual([
      expect.objectContaining({
        id: expect.any(Number),
        source: 'solana',
        status: 'confirmed',
        symbol: 'USDC',
        quantity: '10000',
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/),
        transactionHash: expect.any(String),
      }),
    ]);
    const none = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/capital/deposits',
      query: { endTime: 1 },
    });
    expect(none.json()).toEqual([]);
  });

  it('gives a deposit address per blockchain and 400 for an unknown one', async () => {
    const evm = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/capital/deposit/address',
      query: { blockchain: 'Ethereum' },
    });
    expect(evm.json()).toEqual({ address: expect.stringMatching(/^0x[0-9a-f]{40}$/) });
    const bad = await ctx.signed(main, {
      method: 'GET',
      path: '/wapi/v1/capital/deposit/address',
      query: { blockchain: 'Narnia' },
    });
    expectError(bad, 400, 'INVALID_CLIENT_REQUEST');
  });

  it('withdraws with a full key only, and lists the withdrawal', async () => {
    const body = {
      symbol: 'USDC',
      blockchain: 'Ethereum',
      quantity: '20',
      address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
    };
    await ctx.allowWithdrawalAddress(user, 'Ethereum', body.address);
    expectError(
      await ctx.signed(readOnly, { method: 'POST', path: '/wapi/v1/capital/withdrawals', body }),
      403,
      'FORBIDDEN',
    );
    const res = await ctx.signed(main, { method: 'POST', path: '/wapi/v1/capital/withdrawals', body });
    expect(res.json()).toMatchObject({
      blockchain: 'Ethereum',
      quantity: '20',
      fee: '5',
      status: 'pending',
      isInternal: false,
      toAddress: body.address,
    });
    const listed = await ctx.signed(readOnly, { method: 'GET', path: '/wapi/v1/capital/withdrawals' });
    expect(listed.json()).toEqual([expect.objectContaining({ id: res.json().id, status: 'pending' })]);
  });
});

describe('public market data', () => {
  it('serves ticker, tickers, depth, trades and klines in Backpack’s shapes', async () => {
    const ticker = await ctx.app.inject({ url: '/api/v1/ticker?symbol=SOL_USDC' });
    expect(ticker.json()).toEqual({
      symbol: 'SOL_USDC',
      firstPrice: '100.5',
      lastPrice: '100.5',
      priceChange: '0',
      priceChangePercent: '0',
      high: '100.5',
      low: '100.5',
      volume: '1',
      quoteVolume: '100.5',
      trades: '1',
    });
    const tickers = await ctx.app.inject({ url: '/api/v1/tickers' });
    expect(tickers.json()).toHaveLength(ctx.exchange.config.markets.length);
    expect(tickers.json().find((t: { symbol: string }) => t.symbol === 'BTC_USDC')).toMatchObject({
      lastPrice: '0',
      trades: '0',
    });

    await post(bot, { symbol: 'SOL_USDC', side: 'Ask', orderType: 'Limit', price: '101', quantity: '1.5' });
    await post(bot, { symbol: 'SOL_USDC', side: 'Ask', orderType: 'Limit', price: '102', quantity: '1' });
    await post(main, { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '99', quantity: '1' });
    await post(main, { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '98', quantity: '1' });
    const depth = (await ctx.app.inject({ url: '/api/v1/depth?symbol=SOL_USDC' })).json();
    expect(depth).toMatchObject({
      asks: [
        ['101', '1.5'],
        ['102', '1'],
      ],
      bids: [
        ['98', '1'],
        ['99', '1'],
      ],
      lastUpdateId: expect.stringMatching(/^\d+$/),
      timestamp: ctx.clock.now * 1000,
    });

    const trades = (await ctx.app.inject({ url: '/api/v1/trades?symbol=SOL_USDC&limit=10' })).json();
    expect(trades).toEqual([
      {
        id: expect.any(Number),
        price: '100.5',
        quantity: '1',
        quoteQuantity: '100.5',
        timestamp: ctx.clock.now,
        isBuyerMaker: true,
      },
    ]);
    const older = (await ctx.app.inject({ url: '/api/v1/trades/history?symbol=SOL_USDC&offset=1' })).json();
    expect(older).toEqual([]);

    const start = Math.floor(ctx.clock.now / 1000) - 3600;
    const klines = (
      await ctx.app.inject({ url: `/api/v1/klines?symbol=SOL_USDC&interval=1h&startTime=${start}` })
    ).json();
    const hour = Math.floor(ctx.clock.now / 3_600_000) * 3_600_000;
    expect(klines).toEqual([
      {
        start: new Date(hour).toISOString().slice(0, 19).replace('T', ' '),
        end: new Date(hour + 3_600_000).toISOString().slice(0, 19).replace('T', ' '),
        open: '100.5',
        high: '100.5',
        low: '100.5',
        close: '100.5',
        volume: '1',
        quoteVolume: '100.5',
        trades: '1',
      },
    ]);
  });

  it('answers bad public queries with Backpack-format 400s', async () => {
    for (const url of [
      '/api/v1/ticker',
      '/api/v1/ticker?symbol=NOPE',
      '/api/v1/depth?symbol=SOL_USDC&limit=0',
      '/api/v1/depth?symbol=SOL_USDC&limit=abc',
      '/api/v1/trades?symbol=SOL_USDC&limit=100000',
      '/api/v1/klines?symbol=SOL_USDC&interval=7m&startTime=0',
      '/api/v1/klines?symbol=SOL_USDC&interval=1m',
      '/api/v1/klines?symbol=SOL_USDC&interval=1m&startTime=100&endTime=50',
      '/api/v1/klines?symbol=SOL_USDC&interval=1m&startTime=-5',
      '/api/v1/klines?symbol=SOL_USDC&interval=1m&startTime=99999999999999999999',
    ]) {
      const res = await ctx.app.inject({ url });
      expect({ url, status: res.statusCode, code: res.json().code }).toEqual({
        url,
        status: 400,
        code: 'INVALID_CLIENT_REQUEST',
      });
    }
  });
});

describe('bad input to the exchange’s signed routes', () => {
  const cases: [string, 'GET' | 'POST' | 'DELETE', string, Record<string, unknown>][] = [
    [
      'order with an object price',
      'POST',
      '/api/v1/order',
      { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: { a: 1 }, quantity: '1' },
    ],
    [
      'order with a huge quantity',
      'POST',
      '/api/v1/order',
      { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '1', quantity: '9'.repeat(40) },
    ],
    ['cancel with a non-numeric orderId', 'DELETE', '/api/v1/order', { symbol: 'SOL_USDC', orderId: 'abc' }],
    [
      'cancel with a 30-digit orderId',
      'DELETE',
      '/api/v1/order',
      { symbol: 'SOL_USDC', orderId: '9'.repeat(30) },
    ],
    ['cancel with a negative clientId', 'DELETE', '/api/v1/order', { symbol: 'SOL_USDC', clientId: -1 }],
    ['query with an unknown symbol', 'GET', '/api/v1/order', { symbol: '../../etc', orderId: '1' }],
    ['fills with a negative from', 'GET', '/wapi/v1/history/fills', { from: -1 }],
    ['history with a bad sortDirection', 'GET', '/wapi/v1/history/orders', { sortDirection: 'Sideways' }],
    ['history with a non-numeric orderId', 'GET', '/wapi/v1/history/orders', { orderId: 'x' }],
    [
      'withdrawal with a numeric address',
      'POST',
      '/wapi/v1/capital/withdrawals',
      { symbol: 'USDC', blockchain: 'Solana', quantity: '10', address: 12 },
    ],
    [
      'withdrawal with quantity 1e3',
      'POST',
      '/wapi/v1/capital/withdrawals',
      { symbol: 'USDC', blockchain: 'Solana', quantity: '1e3', address: 'x' },
    ],
    ['withdrawals with a huge id', 'GET', '/wapi/v1/capital/withdrawals', { id: '9'.repeat(30) }],
  ];
  it.each(cases)('answers %s with a Backpack-format 4xx', async (_name, method, path, params) => {
    const res = await ctx.signed(
      main,
      method === 'GET' ? { method, path, query: params as never } : { method, path, body: params as never },
    );
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json()).toEqual({ code: expect.any(String), message: expect.any(String) });
  });
});
