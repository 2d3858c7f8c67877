/**
 * How frames leave the server (docs/STREAMS.md, Limits): the first frame after a quiet spell at once, then at
 * most one write per socket per flush interval while frames keep coming, in order, with contiguous depth U/u.
 * The interval is set large here (400 ms) so the timing is far above the machine's noise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { RawStreamClient, startStreamTestServer, type StreamTestServer } from './helpers/stream-context.ts';

const INTERVAL_MS = 400;
let ctx: StreamTestServer;
const clients: RawStreamClient[] = [];

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite', { streams: { flushIntervalMs: INTERVAL_MS } });
});
afterAll(async () => {
  for (const client of clients) client.close();
  await ctx.close();
});

describe('frame writes', () => {
  it('sends the first frame after a quiet spell at once and batches the next ones per interval', async () => {
    const trader = await ctx.trader({ funds: { SOL: '100' } });
    const client = await RawStreamClient.open(ctx.wsUrl);
    clients.push(client);
    const arrivals: number[] = [];
    client.socket.on('message', () => arrivals.push(performance.now()));
    client.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC'] });
    client.send({ method: 'PING' }); // answered with 4002: the subscription is in place once it arrives
    await client.next((f) => f.error?.code === 4002);
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 100));

    const ask = (price: string) =>
      ctx.rest(trader, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price,
        quantity: '1',
      });
    const firstSent = performance.now();
    expect((await ask('201')).status).toBe(200);
    const first = await client.next((f) => f.stream === 'depth.SOL_USDC');
    const firstAt = arrivals.at(-1) as number;
    expect(firstAt - firstSent).toBeLessThan(INTERVAL_MS / 2);

    // Two more orders right away: their frames wait for the interval, then leave in order.
    expect((await ask('202')).status).toBe(200);
    expect((await ask('203')).status).toBe(200);
    const second = await client.next((f) => f.stream === 'depth.SOL_USDC');
    const third = await client.next((f) => f.stream === 'depth.SOL_USDC');
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    expect((arrivals.at(-1) as number) - firstAt).toBeGreaterThanOrEqual(INTERVAL_MS - 50);
    expect(second.data.a).toEqual([['202.00', '1.00']]);
    expect(third.data.a).toEqual([['203.00', '1.00']]);
    expect(second.data.U).toBe(first.data.u + 1);
    expect(third.data.U).toBe(second.data.u + 1);
  });

  it('gives every subscriber of the same streams all of a flush, in order (one joined buffer)', async () => {
    const trader = await ctx.trader({ funds: { SOL: '100' } });
    const subscribers = await Promise.all([0, 1, 2].map(() => RawStreamClient.open(ctx.wsUrl)));
    clients.push(...subscribers);
    for (const client of subscribers) {
      client.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC', 'bookTicker.SOL_USDC'] });
      client.send({ method: 'PING' });
      await client.next((f) => f.error?.code === 4002);
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS + 100));
    for (const price of ['301', '302', '303', '304']) {
      const placed = await ctx.rest(trader, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price,
        quantity: '1',
      });
      expect(placed.status).toBe(200);
    }
    const received = await Promise.all(
      subscribers.map(async (client) => {
        const frames = [];
        for (let i = 0; i < 4; i++) frames.push(await client.next((f) => f.stream === 'depth.SOL_USDC'));
        return frames.map((f) => [f.data.a, f.data.U, f.data.u]);
      }),
    );
    expect(received[0]!.map(([asks]) => asks)).toEqual([
      [['301.00', '1.00']],
      [['302.00', '1.00']],
      [['303.00', '1.00']],
      [['304.00', '1.00']],
    ]);
    expect(received[1]).toEqual(received[0]);
    expect(received[2]).toEqual(received[0]);
  });
});
