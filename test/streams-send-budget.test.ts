/**
 * The node-wide send budget (maxTotalBufferedBytes): several consumers that stop reading, each far under its own
 * send-buffer cap, cannot together hold more than the node's budget. The one holding the most is closed with 1008
 * "send buffer limit" (counted as a dropped consumer), and a client that reads keeps receiving frames. Real server,
 * real ws clients; a client stops reading by pausing its TCP socket, as in streams-nodes.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { configFromEnv } from '../src/server/start-server.ts';
import type { StreamConnection } from '../src/server/streams/stream-connection.ts';
import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
  type Trader,
} from './helpers/stream-context.ts';

const BUDGET = 256 * 1024;
const PER_CONNECTION = 4 * 1024 * 1024;

type TcpSocket = { pause(): void; resume(): void; localPort: number; remotePort: number };
const tcpOf = (client: RawStreamClient): TcpSocket =>
  (client.socket as unknown as { _socket: TcpSocket })._socket;
const serverTcpOf = (connection: StreamConnection): TcpSocket =>
  (connection.socket as unknown as { _socket: TcpSocket })._socket;

describe('the node-wide send budget', () => {
  let ctx: StreamTestServer;

  beforeAll(async () => {
    ctx = await startStreamTestServer('sqlite', {
      streams: { maxBufferedBytes: PER_CONNECTION, maxTotalBufferedBytes: BUDGET },
    });
  });
  afterAll(async () => ctx?.close());

  /** The server's side of a client's connection, once it subscribed to `streams` streams. */
  async function serverSideOf(client: RawStreamClient, streams: number): Promise<StreamConnection> {
    const port = tcpOf(client).localPort;
    for (let i = 0; i < 200; i++) {
      const found = [...ctx.server.streams.connections].find((c) => serverTcpOf(c).remotePort === port);
      if (found !== undefined && found.subscriptions.size === streams) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('connection not subscribed in time');
  }

  /** 20 bids then a cancel of them all: 40 order updates, depth and book ticker frames, and a book that stays small. */
  async function placeAndCancel(trader: Trader): Promise<void> {
    const orders = Array.from({ length: 20 }, (_, j) => ({
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      price: (1 + j / 100).toFixed(2),
      quantity: '0.01',
    }));
    expect((await ctx.rest(trader, 'POST', '/api/v1/orders', orders as never)).status).toBe(200);
    expect((await ctx.rest(trader, 'DELETE', '/api/v1/orders', { symbol: 'SOL_USDC' })).status).toBe(200);
  }

  async function dropped(): Promise<number> {
    const metric = await ctx.server.metrics.registry
      .getSingleMetric('signet_stream_consumers_dropped_total')
      ?.get();
    return metric?.values[0]?.value ?? 0;
  }

  it('closes the biggest holder when the node passes its budget; readers keep receiving', async () => {
    const trader = await ctx.trader({ funds: { SOL: '1000', USDC: '100000' } });
    const droppedBefore = await dropped();

    const reader = await RawStreamClient.open(ctx.wsUrl);
    reader.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC', 'bookTicker.SOL_USDC'] });
    // Consumers that will stop reading, all with the market's streams and the trader's order updates; the biggest
    // holder gets each order update twice (both of its streams), the others once.
    const market = ['depth.SOL_USDC', 'bookTicker.SOL_USDC', 'account.orderUpdate'];
    const big = await RawStreamClient.open(ctx.wsUrl);
    big.send({
      method: 'SUBSCRIBE',
      params: [...market, 'account.orderUpdate.SOL_USDC'],
      signature: await subscribeSignature(trader),
    });
    const small = await Promise.all([1, 2].map(() => RawStreamClient.open(ctx.wsUrl)));
    for (const client of small) {
      client.send({ method: 'SUBSCRIBE', params: market, signature: await subscribeSignature(trader) });
    }

    const readerSide = await serverSideOf(reader, 2);
    const bigSide = await serverSideOf(big, 4);
    const smallSides = await Promise.all(small.map((client) => serverSideOf(client, 3)));
    for (const client of [big, ...small]) tcpOf(client).pause();

    // The truth, not the budget's own count: every open connection's socket buffer, sampled on every turn of a
    // timer while orders flow (the server runs in this process).
    let most = 0;
    const sample = (): void => {
      let total = 0;
      for (const connection of ctx.server.streams.connections) {
        if (!connection.closed) total += connection.socket.bufferedAmount;
      }
      most = Math.max(most, total);
    };
    const sampler = setInterval(sample, 1);
    const firstClosed: StreamConnection[] = [];
    try {
      const sides = [bigSide, ...smallSides];
      for (let batch = 0; batch < 600 && firstClosed.length < 2; batch++) {
        await placeAndCancel(trader);
        sample();
        expect(ctx.server.streams.bufferedBytes).toBeLessThanOrEqual(BUDGET);
        for (const side of sides) if (side.closed && !firstClosed.includes(side)) firstClosed.push(side);
        if (firstClosed.length === 1 && big.closeInfo === null && bigSide.closed) {
          // Read again: what the server still buffered arrives, then its Close frame (before the 1 s grace ends).
          tcpOf(big).resume();
        }
      }
    } finally {
      clearInterval(sampler);
    }

    // Two drops: the biggest holder first, then one of the others once they together passed the budget again.
    expect(firstClosed.length).toBe(2);
    expect(firstClosed[0]).toBe(bigSide);
    expect(smallSides).toContain(firstClosed[1]);
    expect(await big.closed(3000)).toEqual({ code: 1008, reason: 'send buffer limit' });
    // Far from each connection's own cap: the node's budget closed them.
    expect(most).toBeGreaterThan(BUDGET / 4);
    expect(most).toBeLessThanOrEqual(BUDGET);
    expect(await dropped()).toBe(droppedBefore + 2);

    // The reader was never dropped and still gets frames after the drops.
    expect(readerSide.closed).toBe(false);
    reader.frames.length = 0;
    await placeAndCancel(trader);
    const frame = await reader.next((f) => f.stream === 'depth.SOL_USDC');
    expect(frame.data.b.length).toBeGreaterThan(0);
    for (const client of [reader, big, ...small]) client.close();
  }, 60_000);
});

describe('SIGNET_WS_MAX_TOTAL_BUFFERED', () => {
  it('sets the budget in bytes and refuses anything but a positive integer', () => {
    expect(configFromEnv({ SIGNET_WS_MAX_TOTAL_BUFFERED: '134217728' }).streams?.maxTotalBufferedBytes).toBe(
      134217728,
    );
    expect(configFromEnv({}).streams?.maxTotalBufferedBytes).toBeUndefined();
    for (const value of ['0', '-1', '64MiB', '1.5']) {
      expect(() => configFromEnv({ SIGNET_WS_MAX_TOTAL_BUFFERED: value })).toThrow(
        'SIGNET_WS_MAX_TOTAL_BUFFERED must be a positive integer',
      );
    }
  });
});
