/**
 * Several nodes on one database (PostgreSQL, or one SQLite file opened by two servers): orders matched on node A reach subscribers on node B in order, with depth
 * sequences that continue each other (U == previous u + 1) and private updates only for the key's subaccount.
 * Plus the socket limits that need their own server settings: keep-alive timeouts and the slow-consumer bound.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { DIALECTS, type TestDatabase } from './helpers/dialects.ts';
import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
} from './helpers/stream-context.ts';

describe.each(DIALECTS)('two nodes on one %s database', (dialect, create) => {
  let database: TestDatabase;
  let nodeA: StreamTestServer;
  let nodeB: StreamTestServer;

  beforeAll(async () => {
    database = await create();
    nodeA = await startStreamTestServer(dialect, {}, database);
    nodeB = await startStreamTestServer(dialect, {}, database);
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await database?.drop();
  });

  it('delivers orders matched on A to subscribers on B, in order and without depth gaps', async () => {
    const maker = await nodeA.trader({ funds: { SOL: '100', USDC: '10000' } });
    const taker = await nodeA.trader({ funds: { SOL: '100', USDC: '10000' } });
    const watcher = await RawStreamClient.open(nodeB.wsUrl);
    watcher.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC', 'trade.SOL_USDC'] });
    const makerOnB = await RawStreamClient.open(nodeB.wsUrl);
    makerOnB.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: await subscribeSignature(maker),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));

    const ids: string[] = [];
    // Half the orders through A, half through B: both nodes write the same market.
    for (let i = 0; i < 10; i++) {
      const node = i % 2 === 0 ? nodeA : nodeB;
      const placed = await node.rest(maker, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: String(150 + i),
        quantity: '1',
      });
      expect(placed.status).toBe(200);
      ids.push(placed.body.id);
    }
    const taken = await nodeA.rest(taker, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Market',
      quantity: '3',
    });
    expect(taken.status).toBe(200);

    const rest = await fetch(`${nodeB.server.url}/api/v1/depth?symbol=SOL_USDC`).then((r) => r.json());
    const depth = [];
    while (depth.length === 0 || depth[depth.length - 1].data.u < Number(rest.lastUpdateId)) {
      depth.push(await watcher.next((f) => f.stream === 'depth.SOL_USDC'));
    }
    for (let i = 1; i < depth.length; i++) expect(depth[i].data.U).toBe(depth[i - 1].data.u + 1);
    const trades = [];
    for (let i = 0; i < 3; i++) trades.push(await watcher.next((f) => f.stream === 'trade.SOL_USDC'));
    expect(trades.map((t) => t.data.p)).toEqual(['150.00', '151.00', '152.00']);
    expect(trades.map((t) => t.data.t)).toEqual([...trades.map((t) => t.data.t)].sort((a, b) => a - b));

    const accepted = [];
    for (let i = 0; i < 10; i++) accepted.push(await makerOnB.next((f) => f.data?.e === 'orderAccepted'));
    expect(accepted.map((f) => f.data.i)).toEqual(ids);
    const fills = [];
    for (let i = 0; i < 3; i++) fills.push(await makerOnB.next((f) => f.data?.e === 'orderFill'));
    expect(fills.map((f) => f.data.i)).toEqual(ids.slice(0, 3));
    expect(makerOnB.frames.some((f) => f.data?.i === taken.body.id)).toBe(false);
    watcher.close();
    makerOnB.close();
  });
});

describe('socket limits', () => {
  let ctx: StreamTestServer;

  beforeAll(async () => {
    ctx = await startStreamTestServer('sqlite', {
      streams: {
        pingIntervalMs: 100,
        pongTimeoutMs: 400,
        maxBufferedBytes: 64 * 1024,
        maxConnectionsPerAddress: 3,
      },
    });
  });
  afterAll(async () => ctx?.close());

  it('pings, keeps a client that answers, and drops one that does not', async () => {
    const answering = await RawStreamClient.open(ctx.wsUrl);
    const silent = await RawStreamClient.open(ctx.wsUrl, { autoPong: false });
    let pings = 0;
    answering.socket.on('ping', () => (pings += 1));
    const closed = await silent.closed(3000);
    // Told why in a Close frame (ws answers the close, so the handshake completes).
    expect(closed).toEqual({ code: 1001, reason: 'pong timeout' });
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(answering.socket.readyState).toBe(1);
    // A client ping is answered with a pong.
    const pong = new Promise((resolve) => answering.socket.once('pong', resolve));
    answering.socket.ping();
    await pong;
    answering.close();
  });

  it('destroys a peer that answers neither pings nor the Close frame after a short grace', async () => {
    // A raw TCP client: completes the upgrade, then never answers anything (not even the close handshake).
    const port = Number(new URL(ctx.server.url).port);
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let received = Buffer.alloc(0);
    let closeFrameAt = 0;
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (closeFrameAt === 0 && closeFrameOffset(received) >= 0) closeFrameAt = Date.now();
    });
    const ended = await new Promise<number>((resolve) => socket.once('close', () => resolve(Date.now())));
    expect(received.toString('latin1')).toMatch(/^HTTP\/1.1 101/);
    const offset = closeFrameOffset(received);
    expect(offset).toBeGreaterThan(0);
    // Close frame payload: 2-byte code, then the reason.
    const length = (received[offset + 1] as number) & 0x7f;
    const payload = received.subarray(offset + 2, offset + 2 + length);
    expect(payload.readUInt16BE(0)).toBe(1001);
    expect(payload.subarray(2).toString()).toBe('pong timeout');
    // Destroyed after the grace (1 s), not at once and not never.
    expect(ended - closeFrameAt).toBeGreaterThanOrEqual(900);
    expect(ended - closeFrameAt).toBeLessThan(2500);
  });

  it('refuses connections past the per-address bound with 429', async () => {
    const open = await Promise.all([1, 2, 3].map(() => RawStreamClient.open(ctx.wsUrl)));
    await expect(RawStreamClient.open(ctx.wsUrl)).rejects.toThrow(/429/);
    for (const client of open) client.close();
  });

  it('closes a consumer that does not read once its send buffer passes the bound', async () => {
    const trader = await ctx.trader({ funds: { SOL: '1000', USDC: '100000' } });
    const slow = await RawStreamClient.open(ctx.wsUrl);
    slow.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC', 'bookTicker.SOL_USDC'] });
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (slow.socket as unknown as { _socket: { pause: () => void } })._socket.pause();
    const server = [...ctx.server.streams.connections][0];
    expect(server).toBeDefined();
    let closedByServer = false;
    for (let i = 0; i < 400 && !closedByServer; i++) {
      const orders = Array.from({ length: 20 }, (_, j) => ({
        symbol: 'SOL_USDC',
        side: 'Bid',
        orderType: 'Limit',
        price: (1 + ((i * 20 + j) % 9000) / 100).toFixed(2),
        quantity: '0.01',
      }));
      await ctx.rest(trader, 'POST', '/api/v1/orders', orders as never);
      closedByServer = ctx.server.streams.connections.size === 0;
    }
    expect(closedByServer).toBe(true);
    slow.close();
  });
});

/** Offset of the first server Close frame (opcode 8, unmasked) after the HTTP upgrade answer, or -1. */
function closeFrameOffset(bytes: Buffer): number {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  if (headerEnd < 0) return -1;
  let offset = headerEnd + 4;
  while (offset + 2 <= bytes.length) {
    const opcode = (bytes[offset] as number) & 0x0f;
    const length = (bytes[offset + 1] as number) & 0x7f; // server control frames are short
    if (opcode === 0x8) return offset;
    offset += 2 + length;
  }
  return -1;
}
