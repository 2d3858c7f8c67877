/**
 * Orders through the exchange service on a real database (SQLite file and PostgreSQL schema): locks, matching
 * between subaccounts, fees, cancels, self-trade prevention, subaccount isolation, and books kept correct when
 * another process trades the same market.
 */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createExchangeTestContext, type ExchangeTestContext } from '../../test/helpers/exchange-context.ts';
import { DIALECTS } from '../../test/helpers/dialects.ts';
import { AppError } from '../errors.ts';
import { FEE_ACCOUNT_ID } from './persistence/ledger.ts';

const limit = (
  side: 'Bid' | 'Ask',
  price: string,
  quantity: string,
  extra: Record<string, unknown> = {},
) => ({
  symbol: 'SOL_USDC',
  side,
  orderType: 'Limit',
  price,
  quantity,
  ...extra,
});

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toSatisfy((error) => error instanceof AppError && error.code === code);
}

describe.each(DIALECTS.map(([name]) => name))('OrderService on %s', (dialect) => {
  let ctx: ExchangeTestContext;
  let alice: string;
  let bob: string;
  beforeEach(async () => {
    ctx = await createExchangeTestContext(dialect);
    alice = await ctx.createAccount('alice');
    bob = await ctx.createAccount('bob');
    await ctx.fund(alice, 'USDC', '1000');
    await ctx.fund(bob, 'SOL', '10');
  });
  afterEach(async () => {
    const audit = await ctx.exchange.audit();
    expect(audit.problems).toEqual([]);
    await ctx.close();
  });

  it('locks the cost of a resting bid and releases it on cancel', async () => {
    const order = await ctx.exchange.placeOrder(alice, limit('Bid', '100', '2', { clientId: 7 }));
    expect(order).toMatchObject({ status: 'New', clientId: 7, executedQuantity: 0n });
    expect(await ctx.balances(alice)).toEqual({ USDC: '800 / 200' });
    const cancelled = await ctx.exchange.cancelOrder(alice, { symbol: 'SOL_USDC', clientId: 7 });
    expect(cancelled).toMatchObject({ id: order.id, status: 'Cancelled' });
    expect(await ctx.balances(alice)).toEqual({ USDC: '1000 / 0' });
    await expectCode(
      ctx.exchange.getOpenOrder(alice, { symbol: 'SOL_USDC', orderId: order.id }),
      'RESOURCE_NOT_FOUND',
    );
  });

  it('matches two subaccounts at the maker price, each paying its fee in the asset it receives', async () => {
    const bid = await ctx.exchange.placeOrder(alice, limit('Bid', '100', '2'));
    const ask = await ctx.exchange.placeOrder(bob, limit('Ask', '99', '3'));
    expect(ask).toMatchObject({ status: 'PartiallyFilled', executedQuantity: 2_000_000_000n });
    expect(ask.executedQuoteQuantity).toBe(200_000_000n); // at the maker's 100, not 99
    // alice (maker, 2 bps) receives 2 SOL - 0.0004; bob (taker, 5 bps) receives 200 USDC - 0.1.
    expect(await ctx.balances(alice)).toEqual({ SOL: '1.9996 / 0', USDC: '800 / 0' });
    expect(await ctx.balances(bob)).toEqual({ SOL: '7 / 1', USDC: '199.9 / 0' });

    const aliceFills = await ctx.exchange.listFills(alice, { limit: 10, offset: 0, sortDirection: 'Desc' });
    const bobFills = await ctx.exchange.listFills(bob, { limit: 10, offset: 0, sortDirection: 'Desc' });
    expect(aliceFills).toEqual([
      expect.objectContaining({
        orderId: bid.id,
        side: 'Bid',
        isMaker: true,
        fee: 400_000n,
        feeSymbol: 'SOL',
      }),
    ]);
    expect(bobFills).toEqual([
      expect.objectContaining({
        orderId: ask.id,
        side: 'Ask',
        isMaker: false,
        fee: 100_000n,
        feeSymbol: 'USDC',
      }),
    ]);
    expect(bobFills[0]?.tradeId).toBe(aliceFills[0]?.tradeId);
    const history = await ctx.exchange.listOrderHistory(alice, {
      limit: 10,
      offset: 0,
      sortDirection: 'Desc',
    });
    expect(history[0]).toMatchObject({ id: bid.id, status: 'Filled', executedQuantity: 2_000_000_000n });
  });

  it('refuses an order it cannot fund with INSUFFICIENT_FUNDS and changes nothing', async () => {
    await expectCode(ctx.exchange.placeOrder(alice, limit('Bid', '100', '10.01')), 'INSUFFICIENT_FUNDS');
    await expectCode(ctx.exchange.placeOrder(alice, limit('Ask', '100', '1')), 'INSUFFICIENT_FUNDS');
    expect(await ctx.balances(alice)).toEqual({ USDC: '1000 / 0' });
    expect(
      await ctx.exchange.listOrderHistory(alice, { limit: 10, offset: 0, sortDirection: 'Desc' }),
    ).toEqual([]);
  });

  it('refuses amounts no market or balance could hold, before they reach the database', async () => {
    const huge = '9'.repeat(30);
    const market = { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Market', quoteQuantity: huge };
    await expectCode(ctx.exchange.placeOrder(alice, market), 'INVALID_QUANTITY');
    await expectCode(ctx.exchange.placeOrder(alice, limit('Bid', huge, '1')), 'INVALID_PRICE');
    const address = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
    const withdrawal = { symbol: 'USDT', blockchain: 'Tron', quantity: huge, address };
    await expectCode(ctx.exchange.requestWithdrawal(alice, withdrawal), 'INVALID_QUANTITY');
  });

  it('refuses a postOnly order that would take, with nothing written', async () => {
    await ctx.exchange.placeOrder(bob, limit('Ask', '100', '1'));
    await expectCode(
      ctx.exchange.placeOrder(alice, limit('Bid', '100', '1', { postOnly: true })),
      'INVALID_ORDER',
    );
    expect(await ctx.balances(alice)).toEqual({ USDC: '1000 / 0' });
  });

  it('expires IOC and FOK remainders and releases their locks', async () => {
    await ctx.exchange.placeOrder(bob, limit('Ask', '100', '1'));
    const fok = await ctx.exchange.placeOrder(alice, limit('Bid', '100', '2', { timeInForce: 'FOK' }));
    expect(fok).toMatchObject({ status: 'Expired', expiryReason: 'FillOrKill', executedQuantity: 0n });
    const ioc = await ctx.exchange.placeOrder(alice, limit('Bid', '101', '2', { timeInForce: 'IOC' }));
    expect(ioc).toMatchObject({ status: 'Expired', expiryReason: 'ImmediateOrCancel' });
    expect(ioc.executedQuantity).toBe(1_000_000_000n);
    expect(await ctx.balances(alice)).toEqual({ SOL: '0.9995 / 0', USDC: '900 / 0' }); // taker: 5 bps
  });

  it('fills market orders by quantity and by quoteQuantity, releasing what they did not spend', async () => {
    await ctx.exchange.placeOrder(bob, limit('Ask', '100', '1'));
    await ctx.exchange.placeOrder(bob, limit('Ask', '110', '1'));
    const byQuantity = await ctx.exchange.placeOrder(alice, {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Market',
      quantity: '1.5',
    });
    expect(byQuantity).toMatchObject({
      status: 'Filled',
      executedQuantity: 1_500_000_000n,
      executedQuoteQuantity: 155_000_000n,
    });
    const byQuote = await ctx.exchange.placeOrder(alice, {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Market',
      quoteQuantity: '100',
    });
    expect(byQuote).toMatchObject({ status: 'Expired', expiryReason: 'InsufficientLiquidity' });
    expect(byQuote.executedQuantity).toBe(500_000_000n);
    expect((await ctx.balances(alice))['USDC']).toBe('790 / 0');
  });

  it('applies self-trade prevention between orders of the same subaccount', async () => {
    await ctx.fund(alice, 'SOL', '1');
    await ctx.exchange.placeOrder(alice, limit('Ask', '100', '1'));
    const rejected = await ctx.exchange.placeOrder(alice, limit('Bid', '100', '1'));
    expect(rejected).toMatchObject({ status: 'Expired', expiryReason: 'SelfTradePrevention' });
    const rejectMaker = await ctx.exchange.placeOrder(
      alice,
      limit('Bid', '100', '1', { selfTradePrevention: 'RejectMaker' }),
    );
    expect(rejectMaker.status).toBe('New');
    expect(await ctx.exchange.listOpenOrders(alice)).toEqual([
      expect.objectContaining({ id: rejectMaker.id }),
    ]);
    expect(await ctx.balances(alice)).toEqual({ SOL: '1 / 0', USDC: '900 / 100' });
  });

  it('keeps subaccounts apart: no key sees or cancels another subaccount’s order', async () => {
    const order = await ctx.exchange.placeOrder(alice, limit('Bid', '100', '1', { clientId: 1 }));
    await expectCode(
      ctx.exchange.cancelOrder(bob, { symbol: 'SOL_USDC', orderId: order.id }),
      'RESOURCE_NOT_FOUND',
    );
    await expectCode(
      ctx.exchange.cancelOrder(bob, { symbol: 'SOL_USDC', clientId: 1 }),
      'RESOURCE_NOT_FOUND',
    );
    await expectCode(
      ctx.exchange.getOpenOrder(bob, { symbol: 'SOL_USDC', orderId: order.id }),
      'RESOURCE_NOT_FOUND',
    );
    expect(await ctx.exchange.cancelAllOrders(bob, 'SOL_USDC')).toEqual([]);
    expect(await ctx.exchange.listOpenOrders(bob)).toEqual([]);
    expect(await ctx.exchange.listOrderHistory(bob, { limit: 10, offset: 0, sortDirection: 'Desc' })).toEqual(
      [],
    );
    expect(await ctx.exchange.listOpenOrders(alice, 'SOL_USDC')).toHaveLength(1);
  });

  it('cancels all of a subaccount’s orders in one market and releases every lock', async () => {
    await ctx.fund(alice, 'BTC', '1');
    await ctx.exchange.placeOrder(alice, limit('Bid', '100', '1'));
    await ctx.exchange.placeOrder(alice, limit('Bid', '99', '1'));
    await ctx.exchange.placeOrder(alice, {
      symbol: 'BTC_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '50000',
      quantity: '0.5',
    });
    const cancelled = await ctx.exchange.cancelAllOrders(alice, 'SOL_USDC');
    expect(cancelled.map((o) => o.status)).toEqual(['Cancelled', 'Cancelled']);
    expect(await ctx.balances(alice)).toEqual({ BTC: '0.5 / 0.5', USDC: '1000 / 0' });
    expect(await ctx.exchange.listOpenOrders(alice)).toEqual([
      expect.objectContaining({ symbol: 'BTC_USDC' }),
    ]);
  });

  it('rebuilds its book when another process traded the same market', async () => {
    const other = await ctx.openAnotherProcess();
    const resting = await ctx.exchange.placeOrder(bob, limit('Ask', '100', '2'));
    // The other process never saw this order: its book is rebuilt from the database before matching.
    const taker = await other.placeOrder(alice, limit('Bid', '100', '1'));
    expect(taker).toMatchObject({ status: 'Filled', executedQuantity: 1_000_000_000n });
    // And this process's book still holds 2 SOL: it must notice and rebuild too.
    const second = await ctx.exchange.placeOrder(alice, limit('Bid', '100', '2'));
    expect(second).toMatchObject({ status: 'PartiallyFilled', executedQuantity: 1_000_000_000n });
    const depth = await other.getDepth('SOL_USDC', 10);
    expect(depth).toMatchObject({ asks: [], bids: [[100_000_000n, 1_000_000_000n]] });
    const history = await ctx.exchange.listOrderHistory(bob, { limit: 10, offset: 0, sortDirection: 'Desc' });
    expect(history).toEqual([expect.objectContaining({ id: resting.id, status: 'Filled' })]);
  });

  it('commits orders that arrive together as one group, each refusal rolled back alone', async () => {
    await ctx.exchange.placeOrder(bob, limit('Ask', '100', '1'));
    await ctx.exchange.placeOrder(bob, limit('Ask', '100', '1'));
    const before = (await ctx.exchange.getDepth('SOL_USDC', 10)).sequence;
    // Whatever order these arrive in, one 100 ask is left for the postOnly bid to cross.
    const results = await Promise.allSettled([
      ctx.exchange.placeOrder(alice, limit('Bid', '100', '100')), // INSUFFICIENT_FUNDS: nothing written
      ctx.exchange.placeOrder(alice, limit('Bid', '100.5', '0.5', { postOnly: true })), // would take: refused before anything changes
      ctx.exchange.placeOrder(alice, limit('Bid', '100', '1')), // takes one of bob's asks
      ctx.exchange.placeOrder(bob, limit('Ask', '101', '2')), // rests
    ]);
    expect(
      results.map((r) => (r.status === 'fulfilled' ? r.value.status : (r.reason as AppError).code)),
    ).toEqual(['INSUFFICIENT_FUNDS', 'INVALID_ORDER', 'Filled', 'New']);
    const depth = await ctx.exchange.getDepth('SOL_USDC', 10);
    expect(depth.asks).toEqual([
      [100_000_000n, 1_000_000_000n],
      [101_000_000n, 2_000_000_000n],
    ]);
    expect(depth.bids).toEqual([]);
    // SQLite answers synchronously, so the four reach the writer in one turn and share one transaction (the
    // market sequence moves once); over PostgreSQL's network round trips they may arrive in a few groups.
    if (dialect === 'sqlite') expect(depth.sequence).toBe(before + 1);
    else expect(depth.sequence - before).toBeLessThanOrEqual(4);
    expect(await ctx.balances(alice)).toEqual({ SOL: '0.9995 / 0', USDC: '900 / 0' });
    // Rows left to the end of the group were written once: the filled taker, its trade, the fee account's credits.
    const filled = await ctx.db
      .selectFrom('orders')
      .select(['status', 'is_open'])
      .where('subaccount_id', '=', alice)
      .execute();
    expect(filled).toEqual([{ status: 'Filled', is_open: 0 }]);
    const trades = await ctx.db
      .selectFrom('trades')
      .select([
        sql<string>`cast(maker_fee as text)`.as('maker'),
        sql<string>`cast(taker_fee as text)`.as('taker'),
      ])
      .execute();
    expect(trades).toEqual([{ maker: '20000', taker: '500000' }]); // USDC from bob, SOL from alice
    const fees = await ctx.db
      .selectFrom('ledger_entries')
      .select(['reason', 'asset', sql<string>`cast(available_delta as text)`.as('units')])
      .where('subaccount_id', '=', FEE_ACCOUNT_ID)
      .orderBy('asset')
      .execute();
    expect(fees).toEqual([
      { reason: 'fee', asset: 'SOL', units: '500000' },
      { reason: 'fee', asset: 'USDC', units: '20000' },
    ]);
  });

  it('keeps the book as it was after a failed order', async () => {
    await ctx.exchange.placeOrder(bob, limit('Ask', '100', '1'));
    await expectCode(ctx.exchange.placeOrder(alice, limit('Bid', '100', '100')), 'INSUFFICIENT_FUNDS');
    const depth = await ctx.exchange.getDepth('SOL_USDC', 10);
    expect(depth.asks).toEqual([[100_000_000n, 1_000_000_000n]]);
  });
});
