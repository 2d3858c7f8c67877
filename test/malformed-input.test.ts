/**
 * Bad input of any kind gets a clear 4xx in Backpack's {"code","message"} format: never a 500, a hang, or a
 * non-JSON answer. Checked through inject() and over a real socket (for what Node's HTTP parser rejects).
 */
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { User } from '../src/accounts/accounts-service.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { createTestContext, type TestContext, type TestKey } from './helpers/context.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ctx: TestContext;
let user: User;
let key: TestKey;

beforeAll(async () => {
  ctx = await createTestContext();
  user = await ctx.createUser();
  key = await ctx.createKey(user);
});
afterAll(() => ctx.close());

function expectBackpackError(
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
  status: number,
  code: string,
) {
  expect(res.statusCode).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/json');
  const body = JSON.parse(res.body) as { code: string; message: string };
  expect(body.code).toBe(code);
  expect(body.message.length).toBeGreaterThan(0);
}

describe('malformed bodies', () => {
  it('answers 400 for a body that is not JSON', async () => {
    const res = await ctx.signed(
      key,
      { method: 'POST', path: '/api/v1/order', body: { symbol: 'SOL_USDC' } },
      {},
    );
    expect(res.statusCode).not.toBe(500);
    for (const payload of ['{not json', '{"a":', '\u0000\u0001', '{"__proto__":{"x":1}}']) {
      const bad = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/order',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expectBackpackError(bad, 400, 'INVALID_CLIENT_REQUEST');
    }
  });

  it('answers 400 for a JSON body of the wrong shape, after authentication', async () => {
    for (const body of ['"text"', '42', 'true', '[1,2]']) {
      const res = await ctx.app.inject({
        method: 'POST',
        url: '/api/v1/order',
        headers: { ...(await signedHeaders()), 'content-type': 'application/json' },
        payload: body,
      });
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
    }
  });

  it('answers 413 PAYLOAD_TOO_LARGE for a body over 64 KiB', async () => {
    const payload = JSON.stringify({ symbol: 'x'.repeat(70 * 1024) });
    const res = await ctx.app.inject({
      method: 'POST',
      url: '/api/v1/order',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    expectBackpackError(res, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('accepts a JSON body whatever its content type, and an empty body as none', async () => {
    const res = await ctx.app.inject({
      method: 'DELETE',
      url: '/api/v1/orders',
      headers: { 'content-type': 'text/plain' },
      payload: '',
    });
    expectBackpackError(res, 401, 'UNAUTHORIZED');
  });
});

async function signedHeaders(): Promise<Record<string, string>> {
  const { createSignedRequest } = await import('../src/client/signed-request.ts');
  const { createSigner } = await import('../src/client/signer.ts');
  const prepared = await createSignedRequest(
    { method: 'GET', path: '/api/v1/capital', timestamp: ctx.clock.now },
    await createSigner(key.secret),
  );
  return prepared.headers;
}

describe('malformed headers', () => {
  const cases: [string, Record<string, string>, number][] = [
    ['a timestamp in seconds with a fraction', { 'X-Timestamp': '1700000000.5' }, 400],
    ['a 40-digit timestamp', { 'X-Timestamp': '9'.repeat(40) }, 400],
    ['an empty signature', { 'X-Signature': '' }, 401],
    ['a window with spaces', { 'X-Window': ' 5000' }, 400],
    ['a window of 60001', { 'X-Window': '60001' }, 400],
    ['a window of 0', { 'X-Window': '0' }, 400],
    ['an API key with unicode', { 'X-API-Key': 'ключ'.repeat(11) }, 400],
  ];
  it.each(cases)('answers %s with a Backpack-format 4xx', async (_name, override, status) => {
    const headers = { ...(await signedHeaders()), ...override };
    const res = await ctx.app.inject({ method: 'GET', url: '/api/v1/capital', headers });
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body)).toHaveProperty('code');
  });

  it('answers a malformed query string without a 500', async () => {
    const res = await ctx.app.inject({
      method: 'GET',
      url: '/api/v1/orders?symbol=%E0%A4%A&&&=&%%%',
      headers: await signedHeaders(),
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('over a real socket', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: join(mkdtempSync(join(tmpdir(), 'signet-sock-')), 'db.sqlite'),
    });
  });
  afterAll(() => server.close());

  function rawRequest(text: string): Promise<string> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(text));
      let out = '';
      socket.on('data', (chunk) => (out += chunk.toString('latin1')));
      socket.on('end', () => resolve(out));
      socket.on('error', reject);
      socket.setTimeout(5000, () => reject(new Error('server hung')));
    });
  }

  it('answers header bytes Node rejects with a JSON 400', async () => {
    const res = await rawRequest('GET /api/v1/capital HTTP/1.1\r\nHost: x\r\nX-API-Key: a\u0001b\r\n\r\n');
    expect(res).toMatch(/^HTTP\/1.1 400/);
    expect(res).toContain('"code":"INVALID_CLIENT_REQUEST"');
  });

  it('answers oversized headers with a JSON 431', async () => {
    const res = await rawRequest(
      `GET /api/v1/capital HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(res).toMatch(/^HTTP\/1.1 431/);
    expect(res).toContain('INVALID_CLIENT_REQUEST');
  });

  it('answers a body larger than its Content-Length claims without hanging', async () => {
    const res = await rawRequest(
      'POST /api/v1/order HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000\r\nConnection: close\r\n\r\n{}',
    );
    expect(res).toMatch(/^HTTP\/1.1 413/);
  });
});
