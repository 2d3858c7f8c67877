/**
 * ccxt pro 4.5.84 (`ccxt.pro.backpack`, unchanged but for its URLs) against a real listening Signet, on SQLite and
 * PostgreSQL: keys come from the keys service, funds from depositTestFunds(), orders go over signed REST and the
 * watchers must see them. ccxt needs `loadHttpProxyAgent()` before it opens a `ws://` URL in Node.
 */
import ccxt, { type Exchange as CcxtExchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startStreamTestServer, type StreamTestServer, type Trader } from './helpers/stream-context.ts';

async function proClient(ctx: StreamTestServer, trader: Trader): Promise<CcxtExchange> {
  const exchange = new ccxt.pro.backpack({
    apiKey: trader.apiKey,
    secret: trader.secret,
    urls: {
      api: { public: ctx.server.url, private: ctx.server.url, ws: { public: ctx.wsUrl, private: ctx.wsUrl } },
    },
  });
  await exchange.loadHttpProxyAgent();
  await exchange.loadMarkets();
  return exchange;
}

describe.each(['sqlite', 'postgres'] as const)('ccxt pro on %s', (dialect) => {
  let ctx: StreamTestServer;
  let alice: CcxtExchange;
  let bob: CcxtExchange;
  const symbol = 'SOL/USDC';

  beforeAll(async () => {
    ctx = await startStreamTestServer(dialect);
    alice = await proClient(ctx, await ctx.trader({ funds: { USDC: '100000', SOL: '1000', ETH: '10' } }));
    bob = await proClient(ctx, await ctx.trader({ funds: { USDC: '100000', SOL: '1000', ETH: '10' } }));
  });
  afterAll(async () => {
    // close() rejects what is still being watched: expected here.
    await Promise.allSettled([alice?.close(), bob?.close()]);
    await ctx?.close();
  });

  it('watchOrderBook equals REST depth after a burst of orders', async () => {
    const watching = alice.watchOrderBook(symbol);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // ccxt fetches its snapshot after 10 depth events: a burst of 14 resting orders, then a taker.
    for (let i = 0; i < 7; i++) {
      await bob.createOrder(symbol, 'limit', 'sell', 1 + i, 101 + i);
      await bob.createOrder(symbol, 'limit', 'buy', 1 + i, 99 - i);
    }
    await watching;
    await alice.createOrder(symbol, 'market', 'buy', 1.5);
    const rest = await bob.fetchOrderBook(symbol);
    expect(rest.asks[0]).toEqual([102, 1.5]);
    const book = alice.orderbooks[symbol];
    for (let i = 0; i < 50 && JSON.stringify(book?.asks) !== JSON.stringify(rest.asks); i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(book?.asks).toEqual(rest.asks);
    expect(book?.bids).toEqual(rest.bids);
    expect(book?.nonce).toBeGreaterThan(0);
  });

  it('watchTrades, watchBidsAsks and watchOHLCV see a trade', async () => {
    const trades = alice.watchTrades(symbol);
    const ohlcv = alice.watchOHLCV(symbol, '1m');
    const bidsAsks = alice.watchBidsAsks([symbol]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await alice.createOrder(symbol, 'market', 'buy', 0.25);
    const [trade] = await trades;
    expect(trade).toMatchObject({ symbol, price: 102, amount: 0.25, side: 'buy', takerOrMaker: 'taker' });
    const quotes = await bidsAsks;
    expect(quotes[symbol]).toMatchObject({ ask: 102, askVolume: 1.25, bid: 99, bidVolume: 1 });
    const candles = await ohlcv;
    const last = candles[candles.length - 1] as number[];
    expect(last[4]).toBe(102);
    expect(last[5]).toBeGreaterThanOrEqual(0.25);
  });

  it('watchTicker delivers the 24 h ticker every second', async () => {
    const ticker = await alice.watchTicker(symbol);
    expect(ticker).toMatchObject({ symbol, last: 102, high: 102, low: 101 });
    expect(ticker.baseVolume).toBeGreaterThan(0);
  });

  it('watchOrders sees its orders placed, filled and cancelled, and nobody else’s', async () => {
    const eth = 'ETH/USDC';
    let watching = alice.watchOrders(eth);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const placed = await alice.createOrder(eth, 'limit', 'sell', 2, 3000);
    let orders = await watching;
    expect(orders[orders.length - 1]).toMatchObject({
      id: placed.id,
      status: 'open',
      side: 'sell',
      price: 3000,
    });
    watching = alice.watchOrders(eth);
    await bob.createOrder(eth, 'limit', 'buy', 0.5, 3000);
    await bob.createOrder(eth, 'market', 'buy', 1.0);
    const seen: { id: string | undefined; status: string | undefined; event: unknown }[] = [];
    const waitFor = async (event: string): Promise<void> => {
      while (!seen.some((order) => order.event === event)) {
        orders = await watching;
        seen.push(...orders.map((order) => ({ id: order.id, status: order.status, event: order.info['e'] })));
        watching = alice.watchOrders(eth);
      }
    };
    await waitFor('orderFill');
    await alice.cancelOrder(placed.id as string, eth);
    while (!seen.some((order) => order.status === 'canceled')) {
      orders = await watching;
      seen.push(...orders.map((order) => ({ id: order.id, status: order.status, event: order.info['e'] })));
      watching = alice.watchOrders(eth);
    }
    watching.catch(() => undefined); // rejected by close()
    expect(new Set(seen.map((order) => order.id))).toEqual(new Set([placed.id]));
    expect(seen.map((order) => order.event)).toEqual(expect.arrayContaining(['orderFill', 'orderCancelled']));
    expect(seen[seen.length - 1]?.status).toBe('canceled');
  });
});
