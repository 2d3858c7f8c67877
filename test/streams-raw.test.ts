/**
 * Backpack's WebSocket API through a raw `ws` client against a real listening Signet (SQLite): frames and error
 * codes, public streams fed by orders placed over signed REST, signed private subscriptions (bad, expired,
 * read-only, another subaccount), revocation reaching an open stream, keep-alive and the slow-consumer bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSigner } from '../src/client/signer.ts';
import { createApiKey, revokeApiKey } from '../src/keys/keys-service.ts';
import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
  type Trader,
} from './helpers/stream-context.ts';

let ctx: StreamTestServer;
let maker: Trader;
let taker: Trader;
const clients: RawStreamClient[] = [];

async function open(options: { autoPong?: boolean } = {}): Promise<RawStreamClient> {
  const client = await RawStreamClient.open(ctx.wsUrl, options);
  clients.push(client);
  return client;
}

/** Lets the server process frames already sent (no ack exists to wait for). */
async function settle(client: RawStreamClient): Promise<void> {
  // An invalid frame answers with an error: once it arrives, every frame sent before it has been handled.
  client.send({ method: 'PING' });
  await client.next((frame) => frame.error?.code === 4002);
}

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite', { streams: { keyCheckMs: 200 } });
  maker = await ctx.trader({ funds: { SOL: '100', USDC: '10000' } });
  taker = await ctx.trader({ funds: { SOL: '100', USDC: '10000' } });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await ctx.close();
});

describe('stream connection', () => {
  it('upgrades on / while a plain GET / still serves the console', async () => {
    const response = await fetch(`${ctx.server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const client = await open();
    expect(client.socket.readyState).toBe(1);
  });

  it('refuses an upgrade on another path', async () => {
    await expect(RawStreamClient.open(`${ctx.wsUrl}/stream`)).rejects.toThrow(/404/);
  });
});

describe('frames and error codes', () => {
  it('answers non-JSON, an unknown method and bad params with 4002 and keeps the socket open', async () => {
    const client = await open();
    for (const frame of ['not json', '[]', { method: 'LIST' }, { method: 'SUBSCRIBE', params: [1] }]) {
      client.send(frame);
      expect(await client.next((f) => f.error !== undefined)).toEqual({
        id: null,
        error: { code: 4002, message: 'Parse error' },
      });
    }
    expect(client.socket.readyState).toBe(1);
  });

  it('answers an unknown stream with 4006 and a bad depth window with 4008', async () => {
    const client = await open();
    client.send({ method: 'SUBSCRIBE', params: ['nonsense.SOL_USDC'] });
    expect((await client.next((f) => f.error !== undefined)).error.code).toBe(4006);
    client.send({ method: 'SUBSCRIBE', params: ['depth.100ms.SOL_USDC'] });
    expect((await client.next((f) => f.error !== undefined)).error).toMatchObject({
      code: 4008,
      message: expect.stringContaining('Invalid depth window'),
    });
  });

  it('sends nothing on a successful SUBSCRIBE or UNSUBSCRIBE', async () => {
    const client = await open();
    client.send({
      method: 'SUBSCRIBE',
      params: ['depth.SOL_USDC', 'trade.SOL_USDC', 'depth.200ms.SOL_USDC'],
    });
    client.send({ method: 'UNSUBSCRIBE', params: ['trade.SOL_USDC'] });
    await settle(client);
    expect(client.frames).toEqual([]);
  });

  it('refuses a private stream without a signature, with a bad one and with an expired one', async () => {
    const client = await open();
    client.send({ method: 'SUBSCRIBE', params: ['account.orderUpdate'] });
    expect((await client.next((f) => f.error !== undefined)).error.code).toBe(4100);
    const signature = await subscribeSignature(maker);
    const forged = [...signature];
    forged[1] = (await subscribeSignature(taker))[1] as string;
    client.send({ method: 'SUBSCRIBE', params: ['account.orderUpdate'], signature: forged });
    expect((await client.next((f) => f.error !== undefined)).error.code).toBe(4101);
    // Past the SUBSCRIBE age bound (5 min), and in the future beyond the window: expired.
    const expired = await subscribeSignature(maker, { timestamp: Date.now() - 301_000 });
    client.send({ method: 'SUBSCRIBE', params: ['account.orderUpdate'], signature: expired });
    expect((await client.next((f) => f.error !== undefined)).error.code).toBe(4102);
    const future = await subscribeSignature(maker, { timestamp: Date.now() + 60_000 });
    client.send({ method: 'SUBSCRIBE', params: ['account.orderUpdate'], signature: future });
    expect((await client.next((f) => f.error !== undefined)).error.code).toBe(4102);
  });

  it('accepts a SUBSCRIBE signed a minute ago (a reconnecting client) and delivers its order updates', async () => {
    const client = await open();
    const stale = await subscribeSignature(maker, { timestamp: Date.now() - 60_000 });
    client.send({ method: 'SUBSCRIBE', params: ['account.orderUpdate'], signature: stale });
    await settle(client);
    expect(client.frames).toEqual([]);
    const placed = await ctx.rest(maker, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      price: '1',
      quantity: '0.01',
    });
    const accepted = await client.next((f) => f.data?.e === 'orderAccepted');
    expect(accepted.data.i).toBe(placed.body.id);
    // The same bytes from another subaccount's key would not verify: the signature still binds the key.
    const other = await open();
    const forged = [...stale];
    forged[0] = taker.apiKey;
    other.send({ method: 'SUBSCRIBE', params: ['account.orderUpdate'], signature: forged });
    expect((await other.next((f) => f.error !== undefined)).error.code).toBe(4101);
  });

  it('bounds subscriptions per connection', async () => {
    const client = await open();
    const many = Array.from({ length: 201 }, (_, i) => `trade.X${i}`);
    client.send({ method: 'SUBSCRIBE', params: many });
    expect((await client.next((f) => f.error !== undefined)).error.code).toBe(4105);
    client.send({ method: 'SUBSCRIBE', params: many.slice(0, 200) });
    await settle(client);
    expect(client.frames).toEqual([]);
  });
});

describe('public and private streams', () => {
  it('streams depth continuing REST lastUpdateId, trades, bookTicker and order updates per subaccount', async () => {
    const publicClient = await open();
    publicClient.send({
      method: 'SUBSCRIBE',
      params: ['depth.SOL_USDC', 'trade.SOL_USDC', 'bookTicker.SOL_USDC'],
    });
    const makerClient = await open();
    makerClient.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: await subscribeSignature(maker),
    });
    const takerClient = await open();
    takerClient.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate.SOL_USDC'],
      signature: await subscribeSignature(taker),
    });
    await Promise.all([settle(publicClient), settle(makerClient), settle(takerClient)]);
    const before = await fetch(`${ctx.server.url}/api/v1/depth?symbol=SOL_USDC`).then((r) => r.json());

    const placed = await ctx.rest(maker, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '150',
      quantity: '2',
      clientId: 7,
    });
    expect(placed.status).toBe(200);
    const depth = await publicClient.next((f) => f.stream === 'depth.SOL_USDC');
    expect(depth.data).toMatchObject({ e: 'depth', s: 'SOL_USDC', a: [['150.00', '2.00']], b: [] });
    expect(depth.data.U).toBe(Number(before.lastUpdateId) + 1);
    expect(depth.data.u).toBe(depth.data.U);
    const accepted = await makerClient.next((f) => f.data?.e === 'orderAccepted');
    expect(accepted).toMatchObject({
      stream: 'account.orderUpdate',
      data: {
        s: 'SOL_USDC',
        c: 7,
        S: 'Ask',
        o: 'LIMIT',
        f: 'GTC',
        q: '2.00',
        p: '150.00',
        X: 'New',
        i: placed.body.id,
      },
    });

    const taken = await ctx.rest(taker, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Market',
      quantity: '0.5',
    });
    expect(taken.status).toBe(200);
    const trade = await publicClient.next((f) => f.stream === 'trade.SOL_USDC');
    expect(trade.data).toMatchObject({
      e: 'trade',
      p: '150.00',
      q: '0.50',
      b: taken.body.id,
      a: placed.body.id,
      m: false,
    });
    const depth2 = await publicClient.next((f) => f.stream === 'depth.SOL_USDC');
    expect(depth2.data).toMatchObject({ a: [['150.00', '1.50']], U: depth.data.u + 1 });
    const after = await fetch(`${ctx.server.url}/api/v1/depth?symbol=SOL_USDC`).then((r) => r.json());
    expect(Number(after.lastUpdateId)).toBe(depth2.data.u);

    const makerFill = await makerClient.next((f) => f.data?.e === 'orderFill');
    expect(makerFill.data).toMatchObject({
      i: placed.body.id,
      l: '0.50',
      L: '150.00',
      m: true,
      z: '0.50',
      X: 'PartiallyFilled',
      N: 'USDC',
    });
    const takerFill = await takerClient.next((f) => f.data?.e === 'orderFill');
    expect(takerFill).toMatchObject({
      stream: 'account.orderUpdate.SOL_USDC',
      data: { i: taken.body.id, o: 'MARKET', l: '0.50', m: false, z: '0.50', Z: '75', X: 'Filled', N: 'SOL' },
    });
    // Never another subaccount's events: the taker's socket saw only the taker's order.
    await settle(takerClient);
    expect(takerClient.frames.every((f) => f.data?.i === taken.body.id)).toBe(true);

    const cancelled = await ctx.rest(maker, 'DELETE', '/api/v1/order', {
      symbol: 'SOL_USDC',
      orderId: placed.body.id,
    });
    expect(cancelled.status).toBe(200);
    expect((await makerClient.next((f) => f.data?.e === 'orderCancelled')).data).toMatchObject({
      i: placed.body.id,
      X: 'Cancelled',
      z: '0.50',
    });
    expect((await publicClient.next((f) => f.stream === 'depth.SOL_USDC')).data.a).toEqual([
      ['150.00', '0.00'],
    ]);
    await settle(takerClient);
    expect(takerClient.frames.some((f) => f.data?.i === placed.body.id)).toBe(false);
  });

  it('lets a read-only key subscribe to its order updates', async () => {
    const owner = await ctx.trader({ funds: { USDC: '1000' } });
    const { key, secret } = await createApiKey(ctx.server.db, {
      userId: owner.userId,
      name: 'viewer',
      readOnly: true,
    });
    expect(key.subaccountId).toBe(owner.subaccountId);
    const viewer: Trader = {
      ...owner,
      apiKey: key.apiKey,
      secret: secret!,
      signer: await createSigner(secret!),
    };
    const client = await open();
    client.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate', 'account.positionUpdate'],
      signature: await subscribeSignature(viewer),
    });
    await settle(client);
    // The subscription took: the owner's order reaches the read-only key's stream, and no error came before it.
    const placed = await ctx.rest(owner, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      price: '1',
      quantity: '1',
    });
    expect(placed.status).toBe(200);
    const accepted = await client.next((f) => f.data?.e === 'orderAccepted');
    expect(accepted.data.i).toBe(placed.body.id);
    expect(client.frames.filter((f) => f.error !== undefined)).toEqual([]);
  });

  it('ends private subscriptions of a revoked key within a second', async () => {
    const trader = await ctx.trader({ funds: { USDC: '1000' } });
    const client = await open();
    client.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate', 'depth.SOL_USDC'],
      signature: await subscribeSignature(trader),
    });
    await settle(client);
    const started = Date.now();
    await revokeApiKey(ctx.server.db, { key: trader.apiKey });
    const frame = await client.next((f) => f.error !== undefined, 1000);
    expect(frame.error.code).toBe(4104);
    expect(Date.now() - started).toBeLessThan(1000);
    // The public subscription goes on; new orders of that subaccount are not delivered any more.
  });

  it('ends private subscriptions of a key within a second of its expiry', async () => {
    const trader = await ctx.trader({ funds: { USDC: '1000' } });
    const client = await open();
    client.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: await subscribeSignature(trader),
    });
    await settle(client);
    const expiresAt = Date.now() + 300;
    await ctx.server.db
      .updateTable('api_keys')
      .set({ expires_at: expiresAt })
      .where('api_key', '=', trader.apiKey)
      .execute();
    const frame = await client.next((f) => f.error !== undefined, 2000);
    expect(frame.error.code).toBe(4104);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    expect(Date.now() - expiresAt).toBeLessThan(1000);
  });
});

describe('aggregated depth', () => {
  it('keeps depth.200ms continuous (U == previous u + 1) across non-crossing IOCs and cancels', async () => {
    const trader = await ctx.trader({ funds: { ETH: '100', USDC: '100000' } });
    const client = await open();
    client.send({ method: 'SUBSCRIBE', params: ['depth.200ms.ETH_USDC', 'depth.ETH_USDC'] });
    await settle(client);
    const order = (params: Record<string, unknown>) =>
      ctx.rest(trader, 'POST', '/api/v1/order', { symbol: 'ETH_USDC', quantity: '0.1', ...params });
    const window = () => client.next((f) => f.stream === 'depth.200ms.ETH_USDC', 3000);
    const frames: { data: { U: number; u: number } }[] = [];
    for (let round = 0; round < 4; round++) {
      const resting = await order({ side: 'Bid', orderType: 'Limit', price: String(1000 + round) });
      expect(resting.status).toBe(200);
      frames.push(await window());
      // Commits that change no level: an IOC that crosses nothing, a Limit IOC below the book.
      for (const price of ['5000', '5001']) {
        const ioc = await order({ side: 'Ask', orderType: 'Limit', price, timeInForce: 'IOC' });
        expect(ioc.body.status).toBe('Expired');
      }
      const cancelled = await ctx.rest(trader, 'DELETE', '/api/v1/order', {
        symbol: 'ETH_USDC',
        orderId: resting.body.id,
      });
      expect(cancelled.status).toBe(200);
      frames.push(await window());
    }
    for (let i = 1; i < frames.length; i++) {
      expect(frames[i]?.data.U, `frame ${i}`).toBe((frames[i - 1]?.data.u ?? NaN) + 1);
    }
    // The realtime stream covers the same sequences.
    const last = await fetch(`${ctx.server.url}/api/v1/depth?symbol=ETH_USDC`).then((r) => r.json());
    expect(frames.at(-1)?.data.u).toBe(Number(last.lastUpdateId));
  });
});
