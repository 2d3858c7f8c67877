/* eslint-disable @typescript-eslint/no-explicit-any -- frames are arbitrary JSON, read by assertions */
/**
 * Issue 21, point 4: narrowing did not end streams. After `keys update --allow-ip` excluded a stream's address,
 * REST refused at once but order events kept flowing on the open stream; only revocation and expiry ended it. Any
 * change that would refuse the key on a new request now ends its private subscriptions within 1 s (error 4104).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { revokeAllApiKeys, updateApiKey } from '../src/keys/key-controls-service.ts';
import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
  type Trader,
} from './helpers/stream-context.ts';

let ctx: StreamTestServer;
const clients: RawStreamClient[] = [];

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite');
});
afterAll(async () => {
  for (const client of clients) client.close();
  await ctx?.close();
});

/** A funded trader whose order updates stream on a new connection (the subscription confirmed by an event). */
async function streaming(): Promise<{ trader: Trader; client: RawStreamClient }> {
  const trader = await ctx.trader({ funds: { USDC: '1000' } });
  const client = await RawStreamClient.open(ctx.wsUrl);
  clients.push(client);
  client.send({
    method: 'SUBSCRIBE',
    params: ['account.orderUpdate'],
    signature: await subscribeSignature(trader),
  });
  await new Promise((r) => setTimeout(r, 100));
  expect((await order(trader)).status).toBe(200);
  await client.next((f: any) => f.data?.e === 'orderAccepted');
  return { trader, client };
}

function order(trader: Trader) {
  return ctx.rest(trader, 'POST', '/api/v1/order', {
    symbol: 'SOL_USDC',
    side: 'Bid',
    orderType: 'Limit',
    price: '1',
    quantity: '1',
  });
}

/** The change must end the stream within 1 s, and no event of the key may follow. */
async function expectEndedWithin1s(client: RawStreamClient, change: () => Promise<unknown>) {
  const started = performance.now();
  await change();
  const error = await client.next((f: any) => f.error !== undefined, 1000);
  expect(error.error.code).toBe(4104);
  expect(performance.now() - started).toBeLessThan(1000);
}

describe('key changes end open streams (regression)', () => {
  it('an allowlist narrowed to exclude the stream closes it within 1 s, and REST is refused too', async () => {
    const { trader, client } = await streaming();
    await expectEndedWithin1s(client, () =>
      updateApiKey(ctx.server.db, { key: trader.apiKey, allowedIps: ['198.51.100.1'] }),
    );
    expect((await order(trader)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 200));
    expect(client.frames.filter((f: any) => f.data?.e === 'orderAccepted')).toEqual([]);
  });

  it('an allowlist that still includes the stream keeps it', async () => {
    const { trader, client } = await streaming();
    await updateApiKey(ctx.server.db, { key: trader.apiKey, allowedIps: ['127.0.0.1', '198.51.100.1'] });
    await new Promise((r) => setTimeout(r, 1200));
    expect(client.frames.filter((f: any) => f.error !== undefined)).toEqual([]);
    expect((await order(trader)).status).toBe(200);
    await client.next((f: any) => f.data?.e === 'orderAccepted');
  });

  it('removing trade keeps it: a stream needs read, which every key keeps (a read-only key may subscribe)', async () => {
    const { trader, client } = await streaming();
    await updateApiKey(ctx.server.db, { key: trader.apiKey, readOnly: true });
    await new Promise((r) => setTimeout(r, 1200));
    expect(client.frames.filter((f: any) => f.error !== undefined)).toEqual([]);
    expect((await order(trader)).status).toBe(403);
  });

  it('an expiry moved to now closes it within 1 s', async () => {
    const { trader, client } = await streaming();
    await expectEndedWithin1s(client, () =>
      updateApiKey(ctx.server.db, { key: trader.apiKey, expiresAt: Date.now() + 50 }),
    );
  });

  it('revoke-all closes it within 1 s', async () => {
    const { trader, client } = await streaming();
    await expectEndedWithin1s(client, () => revokeAllApiKeys(ctx.server.db, { userId: trader.userId }));
  });
});
