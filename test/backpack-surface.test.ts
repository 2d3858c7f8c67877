/**
 * The rest of the Backpack surface bots call at start-up, over real HTTP with keys from the keys service:
 * account settings (PATCH stores, GET reports, bad values 400), the account limit endpoints, collateral,
 * 501 NOT_IMPLEMENTED for Backpack paths Signet does not serve and for state-changing actions of products it does
 * not run, 200 with an empty list for their read-only lists (paging validated), ticker interval=1w, klines priceType, and
 * self-trade prevention `Allow`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStreamTestServer, type StreamTestServer, type Trader } from './helpers/stream-context.ts';

let ctx: StreamTestServer;
let alice: Trader;
let bob: Trader;

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite');
  alice = await ctx.trader({ funds: { USDC: '1000', SOL: '10' } });
  bob = await ctx.trader({ funds: { USDC: '1000', SOL: '10' } });
  // One trade at 150 gives SOL a price.
  await ctx.rest(bob, 'POST', '/api/v1/order', {
    symbol: 'SOL_USDC',
    side: 'Ask',
    orderType: 'Limit',
    price: '150',
    quantity: '1',
  });
  await ctx.rest(alice, 'POST', '/api/v1/order', {
    symbol: 'SOL_USDC',
    side: 'Bid',
    orderType: 'Market',
    quantity: '1',
  });
});
afterAll(async () => ctx?.close());

describe('PATCH /api/v1/account', () => {
  it('stores the settings per subaccount and GET reports them', async () => {
    const patched = await ctx.rest(alice, 'PATCH', '/api/v1/account', { autoLend: true, leverageLimit: '5' });
    expect(patched).toEqual({ status: 200, body: null });
    const mine = await ctx.rest(alice, 'GET', '/api/v1/account');
    expect(mine.body).toMatchObject({
      autoLend: true,
      leverageLimit: '5',
      autoRepayBorrows: false,
      spotTakerFee: '5',
    });
    const theirs = await ctx.rest(bob, 'GET', '/api/v1/account');
    expect(theirs.body).toMatchObject({ autoLend: false, leverageLimit: '1' });
  });

  it.each([
    [{ autoLend: 'yes' }],
    [{ leverageLimit: '0' }],
    [{ leverageLimit: '1000' }],
    [{ leverageLimit: 'lots' }],
    [{ autoTrade: true }],
  ])('refuses %j with 400', async (body) => {
    const response = await ctx.rest(alice, 'PATCH', '/api/v1/account', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'INVALID_CLIENT_REQUEST' });
  });
});

describe('account limits and collateral', () => {
  it('answers borrow, withdrawal and order limits from the balances', async () => {
    expect((await ctx.rest(alice, 'GET', '/api/v1/account/limits/borrow', { symbol: 'SOL' })).body).toEqual({
      maxBorrowQuantity: '0',
      symbol: 'SOL',
    });
    expect(
      (await ctx.rest(alice, 'GET', '/api/v1/account/limits/withdrawal', { symbol: 'SOL' })).body,
    ).toEqual({
      maxWithdrawalQuantity: '10.9995', // 10 + 1 bought - the 0.0005 SOL taker fee
      symbol: 'SOL',
    });
    expect(
      (await ctx.rest(alice, 'GET', '/api/v1/account/limits/order', { symbol: 'SOL_USDC', side: 'Ask' }))
        .body,
    ).toEqual({ maxOrderQuantity: '10.99', symbol: 'SOL_USDC', side: 'Ask' });
    // 850 USDC left: 850 / 100 = 8.5
    const bid = await ctx.rest(alice, 'GET', '/api/v1/account/limits/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      price: '100',
    });
    expect(bid.body).toEqual({ maxOrderQuantity: '8.5', symbol: 'SOL_USDC', side: 'Bid' });
    const unknown = await ctx.rest(alice, 'GET', '/api/v1/account/limits/withdrawal', { symbol: 'DOGE' });
    expect(unknown.status).toBe(400);
  });

  it('values spot assets at full collateral weight', async () => {
    const { body } = await ctx.rest(bob, 'GET', '/api/v1/capital/collateral');
    const sol = body.collateral.find((row: { symbol: string }) => row.symbol === 'SOL');
    expect(sol).toMatchObject({
      assetMarkPrice: '150',
      totalQuantity: '9',
      collateralWeight: '1',
      collateralValue: '1350',
    });
    const usdc = body.collateral.find((row: { symbol: string }) => row.symbol === 'USDC');
    expect(usdc).toMatchObject({ assetMarkPrice: '1', collateralValue: usdc.totalQuantity });
    const expected = 1350 + Number(usdc.totalQuantity);
    expect(Number(body.netEquity)).toBeCloseTo(expected, 6);
    expect(body.assetsValue).toBe(body.netEquity);
  });

  it('values assets that never traded at their reference price, and at the last trade once they do', async () => {
    const carol = await ctx.trader({ funds: { USDT: '250', BTC: '0.5', USDC: '100000' } });
    const before = await ctx.rest(carol, 'GET', '/api/v1/capital/collateral');
    const row = (body: { collateral: { symbol: string; collateralValue: string }[] }, symbol: string) =>
      body.collateral.find((entry) => entry.symbol === symbol);
    expect(row(before.body, 'USDT')).toMatchObject({ assetMarkPrice: '1', collateralValue: '250' });
    expect(row(before.body, 'BTC')).toMatchObject({ assetMarkPrice: '100000', collateralValue: '50000' });
    expect(before.body.netEquity).toBe('150250');
    const dave = await ctx.trader({ funds: { BTC: '1' } });
    await ctx.rest(dave, 'POST', '/api/v1/order', {
      symbol: 'BTC_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '90000',
      quantity: '0.01',
    });
    const bought = await ctx.rest(carol, 'POST', '/api/v1/order', {
      symbol: 'BTC_USDC',
      side: 'Bid',
      orderType: 'Market',
      quantity: '0.01',
    });
    expect(bought.body.status).toBe('Filled');
    const after = await ctx.rest(carol, 'GET', '/api/v1/capital/collateral');
    expect(row(after.body, 'BTC')).toMatchObject({ assetMarkPrice: '90000', totalQuantity: '0.509995' });
    expect(row(after.body, 'BTC')?.collateralValue).toBe('45899.55');
  });
});

describe('paths and parameters', () => {
  it('answers 501 NOT_IMPLEMENTED in Backpack’s format for Backpack paths it does not serve', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/openInterest'],
      ['GET', '/wapi/v1/history/nothing'],
      ['PUT', '/api/v1/order'],
    ] as const) {
      const response = await fetch(ctx.server.url + path, { method });
      expect(response.status).toBe(501);
      expect(await response.json()).toEqual({
        code: 'NOT_IMPLEMENTED',
        message: `Not implemented by this server: ${method} ${path}`,
      });
    }
    // Actions that would change state on a product Signet does not run stay 501, after auth and permissions.
    for (const [method, path] of [
      ['POST', '/api/v1/borrowLend'],
      ['POST', '/api/v1/strategy'],
      ['POST', '/api/v1/rfq'],
    ]) {
      const signed = await ctx.rest(alice, method as string, path as string, { symbol: 'SOL' });
      expect(signed.status).toBe(501);
      expect(signed.body).toMatchObject({ code: 'NOT_IMPLEMENTED' });
    }
  });

  it.each([
    '/wapi/v1/history/interest',
    '/wapi/v1/history/borrowLend',
    '/wapi/v1/history/borrowLend/positions',
    '/wapi/v1/history/dust',
    '/wapi/v1/history/funding',
    '/wapi/v1/history/pnl',
    '/wapi/v1/history/position',
    '/wapi/v1/history/rfq',
    '/wapi/v1/history/quote',
    '/wapi/v1/history/rfq/fill',
    '/wapi/v1/history/quote/fill',
    '/wapi/v1/history/settlement',
    '/wapi/v1/history/strategies',
    '/wapi/v1/history/vault/mint',
    '/wapi/v1/history/vault/redeem',
  ])('answers %s with an empty list and validates its paging', async (path) => {
    // A key of its own per path: history lists share a small per-key rate limit.
    const caller = await ctx.trader();
    expect(await ctx.rest(caller, 'GET', path)).toEqual({ status: 200, body: [] });
    const paged = await ctx.rest(caller, 'GET', path, { limit: 1000, offset: 5, sortDirection: 'Asc' });
    expect(paged).toEqual({ status: 200, body: [] });
    for (const bad of [
      { limit: 0 },
      { limit: 1001 },
      { offset: -1 },
      { limit: 'ten' },
      { sortDirection: 'Up' },
    ]) {
      const refused = await ctx.rest(caller, 'GET', path, bad);
      expect(refused.status, JSON.stringify(bad)).toBe(400);
      expect(refused.body).toMatchObject({ code: 'INVALID_CLIENT_REQUEST' });
    }
  });

  it('answers positions, borrow-lend positions and markets, strategies and RFQs with empty lists', async () => {
    for (const path of [
      '/api/v1/position',
      '/api/v1/borrowLend/positions',
      '/api/v1/strategies',
      '/api/v1/rfqs',
      '/api/v1/vault/redeems/pending',
    ]) {
      expect(await ctx.rest(alice, 'GET', path), path).toEqual({ status: 200, body: [] });
    }
    const perp = await ctx.rest(alice, 'GET', '/api/v1/position', { symbol: 'SOL_USDC_PERP' });
    expect(perp).toEqual({ status: 200, body: [] });
    const markets = await fetch(`${ctx.server.url}/api/v1/borrowLend/markets`);
    expect(markets.status).toBe(200);
    expect(await markets.json()).toEqual([]);
    const strategy = await ctx.rest(alice, 'GET', '/api/v1/strategy', {
      symbol: 'SOL_USDC',
      strategyId: 'x',
    });
    expect(strategy).toMatchObject({ status: 404, body: { code: 'RESOURCE_NOT_FOUND' } });
    const badVault = await ctx.rest(alice, 'GET', '/api/v1/vault/redeems/pending', { vaultId: 'one' });
    expect(badVault.status).toBe(400);
  });

  it('still refuses an unsigned caller on the empty lists', async () => {
    const unsigned = await fetch(`${ctx.server.url}/wapi/v1/history/funding`);
    expect(unsigned.status).toBe(401);
  });

  it('serves ticker?interval=1w and klines?priceType=Mark|Index like Last', async () => {
    const week = await fetch(`${ctx.server.url}/api/v1/ticker?symbol=SOL_USDC&interval=1w`).then((r) =>
      r.json(),
    );
    expect(week).toMatchObject({ lastPrice: '150', volume: '1', trades: '1' });
    const start = Math.floor(Date.now() / 1000) - 3600;
    const last = await fetch(
      `${ctx.server.url}/api/v1/klines?symbol=SOL_USDC&interval=1h&startTime=${start}`,
    ).then((r) => r.json());
    for (const priceType of ['Mark', 'Index']) {
      const response = await fetch(
        `${ctx.server.url}/api/v1/klines?symbol=SOL_USDC&interval=1h&startTime=${start}&priceType=${priceType}`,
      );
      expect(await response.json()).toEqual(last);
    }
    expect((await fetch(`${ctx.server.url}/api/v1/ticker?symbol=SOL_USDC&interval=1y`)).status).toBe(400);
  });

  it('lets selfTradePrevention Allow trade with its own resting order', async () => {
    const carol = await ctx.trader({ funds: { USDC: '1000', SOL: '10' } });
    const ask = await ctx.rest(carol, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '160',
      quantity: '1',
    });
    const bid = await ctx.rest(carol, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      price: '160',
      quantity: '1',
      selfTradePrevention: 'Allow',
    });
    expect(bid.body).toMatchObject({ status: 'Filled', selfTradePrevention: 'Allow', executedQuantity: '1' });
    const history = await ctx.rest(carol, 'GET', '/wapi/v1/history/orders', { symbol: 'SOL_USDC' });
    const statuses = Object.fromEntries(
      history.body.map((o: { id: string; status: string }) => [o.id, o.status]),
    );
    expect(statuses).toEqual({ [ask.body.id]: 'Filled', [bid.body.id]: 'Filled' });
    expect((await ctx.server.exchange.audit()).ok).toBe(true);
  });
});
