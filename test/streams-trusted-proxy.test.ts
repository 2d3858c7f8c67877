/* eslint-disable @typescript-eslint/no-explicit-any -- frames are arbitrary JSON, read by assertions */
/**
 * Issue 21, point 3: streams ignored trusted proxies. The WebSocket took the socket's address for the key's IP
 * allowlist and the per-address connection cap: behind the documented nginx, a key allowed only from one client
 * subscribed from any address, and 100 connections through the proxy locked every user out of streams. Here the
 * proxy is this test (127.0.0.1, listed in SIGNET_TRUSTED_PROXIES) sending X-Forwarded-For, as nginx does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
  type Trader,
} from './helpers/stream-context.ts';

const CLIENT = '203.0.113.7';
const OTHER_CLIENT = '198.51.100.9';

let ctx: StreamTestServer;
let allowedFromClient: Trader;
const open: RawStreamClient[] = [];

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite', {
    trustedProxies: ['127.0.0.1'],
    streams: { maxConnectionsPerAddress: 2 },
  });
  const someone = await ctx.trader({ funds: { USDC: '1000' } });
  const { key, secret } = await createApiKey(ctx.server.db, {
    userId: someone.userId,
    name: 'allowed from one client',
    allowedIps: [CLIENT],
  });
  const signer = await createSigner(secret as string);
  allowedFromClient = { ...someone, apiKey: key.apiKey, secret: secret as string, signer };
});
afterAll(async () => {
  for (const client of open) client.close();
  await ctx?.close();
});

async function connect(from: string): Promise<RawStreamClient> {
  const client = await RawStreamClient.open(ctx.wsUrl, { headers: { 'X-Forwarded-For': from } });
  open.push(client);
  return client;
}

describe('streams behind a trusted proxy (regression)', () => {
  it("judges the key's allowlist by the client's address, as REST does", async () => {
    const fromElsewhere = await connect(OTHER_CLIENT);
    fromElsewhere.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: await subscribeSignature(allowedFromClient),
    });
    expect((await fromElsewhere.next((f: any) => f.error !== undefined)).error).toBeDefined();

    const fromClient = await connect(CLIENT);
    fromClient.send({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: await subscribeSignature(allowedFromClient),
    });
    // The subscription took: the key's own order reaches it.
    const placed = await ctx.rest(allowedFromClient, 'POST', '/api/v1/order', {
      symbol: 'SOL_USDC',
      side: 'Bid',
      orderType: 'Limit',
      price: '1',
      quantity: '1',
    });
    // REST from the same proxy without the client's address is refused: the allowlist is the client's.
    expect(placed.status).toBe(401);
    const signed = await fetchAsClient(allowedFromClient);
    expect(signed).toBe(200);
    const accepted = await fromClient.next((f: any) => f.data?.e === 'orderAccepted');
    expect(accepted.stream).toBe('account.orderUpdate');
    expect(fromClient.frames.filter((f: any) => f.error !== undefined)).toEqual([]);
  });

  it('caps connections per client, so one client behind the proxy cannot lock out the others', async () => {
    for (const client of open.splice(0)) client.close();
    await new Promise((r) => setTimeout(r, 100));
    await connect(CLIENT);
    await connect(CLIENT);
    await expect(connect(CLIENT)).rejects.toThrow(/429/);
    // Another client through the same proxy still connects.
    const other = await connect(OTHER_CLIENT);
    other.send({ method: 'SUBSCRIBE', params: ['trade.SOL_USDC'] });
    await new Promise((r) => setTimeout(r, 100));
    expect(other.frames).toEqual([]);
    expect(other.closeInfo).toBeNull();
  });
});

/** A signed order sent through the "proxy" on behalf of CLIENT. */
async function fetchAsClient(trader: Trader): Promise<number> {
  const request = await createSignedRequest(
    {
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '1', quantity: '1' },
    },
    trader.signer,
  );
  const response = await fetch(ctx.server.url + request.pathWithQuery, {
    method: request.method,
    headers: { ...request.headers, 'X-Forwarded-For': CLIENT },
    body: request.body,
  });
  await response.arrayBuffer();
  return response.status;
}
