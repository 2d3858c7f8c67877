/**
 * The SDK's streams (SignetClient.openStream / SignetStream) against a real listening Signet: in Node (through
 * `ws`) and in Debian's Chromium (the global WebSocket, WebCrypto signing), the SDK bundled by esbuild exactly as
 * an app would bundle it. Public depth and signed order updates must both arrive.
 */
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type * as sdkModule from '../src/client/index.ts';
import { SignetClient, type StreamMessage } from '../src/client/index.ts';
import { CHROMIUM } from './helpers/requirements.ts';
import { startStreamTestServer, type StreamTestServer, type Trader } from './helpers/stream-context.ts';

let ctx: StreamTestServer;
let maker: Trader;

beforeAll(async () => {
  ctx = await startStreamTestServer('sqlite');
  maker = await ctx.trader({ funds: { SOL: '100', USDC: '1000' } });
});
afterAll(async () => ctx?.close());

function waitFor(messages: StreamMessage[], match: (m: StreamMessage) => boolean): Promise<StreamMessage> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      const found = messages.find(match);
      if (found) resolve(found);
      else if (Date.now() - started > 5000) reject(new Error('no message in time'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('SignetClient streams in Node', () => {
  it('subscribes to public depth and signed order updates', async () => {
    const client = await SignetClient.create({ baseUrl: ctx.server.url, secret: maker.secret });
    const errors: unknown[] = [];
    const stream = await client.openStream({ onError: (error) => errors.push(error) });
    const messages: StreamMessage[] = [];
    await stream.subscribe(['depth.SOL_USDC', 'account.orderUpdate'], (message) => messages.push(message));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const order = await client.executeOrder({
      symbol: 'SOL_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: '200',
      quantity: '1',
    });
    const depth = await waitFor(messages, (m) => m.stream === 'depth.SOL_USDC');
    expect(depth.data['a']).toEqual([['200.00', '1.00']]);
    const update = await waitFor(messages, (m) => m.stream === 'account.orderUpdate');
    expect(update.data).toMatchObject({ e: 'orderAccepted', i: order['id'] });
    expect(errors).toEqual([]);
    stream.close();
  });
});

describe.skipIf(!CHROMIUM.available)('SignetClient streams in Chromium', () => {
  it('subscribes with the browser WebSocket and signs with WebCrypto', async () => {
    const bundle = await build({
      entryPoints: ['src/client/index.ts'],
      bundle: true,
      format: 'iife',
      globalName: 'Signet',
      platform: 'browser',
      write: false,
    });
    const browser = await chromium.launch({ executablePath: CHROMIUM.where, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage();
      // A page of the server's own origin (a JSON answer: no CSP), as an app served next to the API would be.
      await page.goto(`${ctx.server.url}/api/v1/status`);
      await page.addScriptTag({ content: bundle.outputFiles[0]?.text as string });
      const received = page.evaluate(
        async ({ url, secret }) => {
          const sdk = (globalThis as unknown as { Signet: typeof sdkModule }).Signet;
          const signer = await sdk.createSigner(secret);
          const stream = await sdk.SignetStream.open({ url, signer });
          return new Promise<unknown>((resolve) => {
            void stream.subscribe(['account.orderUpdate.SOL_USDC'], (message) => resolve(message));
            (globalThis as unknown as { subscribed: boolean }).subscribed = true;
          });
        },
        { url: ctx.wsUrl, secret: maker.secret },
      );
      await page.waitForFunction(
        () => (globalThis as unknown as { subscribed?: boolean }).subscribed === true,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const order = await ctx.rest(maker, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: '210',
        quantity: '1',
      });
      expect(await received).toMatchObject({
        stream: 'account.orderUpdate.SOL_USDC',
        data: { e: 'orderAccepted', i: order.body.id },
      });
    } finally {
      await browser.close();
    }
  });
});
