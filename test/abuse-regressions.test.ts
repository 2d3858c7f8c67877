/**
 * One regression test per finding of the attack review (issue 12), named after what broke. Money bounds at the
 * service level are in src/exchange/supply.test.ts, the sign-in lockout in console-login-throttle.test.ts, replays
 * in replay-refusal.test.ts.
 */
import { connect } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { User } from '../src/accounts/accounts-service.ts';
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { requireUserByEmail } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { DEFAULT_MARKETS_FILE, startServer } from '../src/server/start-server.ts';
import { createConsoleTestContext, PASSWORD } from './helpers/console-context.ts';
import { createTestContext, type TestContext, type TestKey } from './helpers/context.ts';
import { mkdtempSync, rmSync } from 'node:fs';
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

function expectBackpackError(res: { statusCode: number; body: string }, status: number, code: string): void {
  expect(res.statusCode).toBe(status);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body.code).toBe(code);
}

async function signedHeaders(
  spec: Parameters<typeof createSignedRequest>[0],
): Promise<{ headers: Record<string, string>; url: string; body?: string }> {
  const signer = await createSigner(key.secret);
  const prepared = await createSignedRequest(
    { timestamp: ctx.clock.now, ...spec },
    { apiKey: key.apiKey, sign: signer.sign },
  );
  return { headers: prepared.headers, url: prepared.pathWithQuery, body: prepared.body };
}

describe('public ticker outage', () => {
  it('answers /ticker and /tickers after trades whose quote volume sums past 2^63', async () => {
    const huge = (2n ** 62n - 1n).toString();
    const account = (await ctx.db.selectFrom('subaccounts').select('id').executeTakeFirstOrThrow()).id;
    await ctx.db
      .insertInto('trades')
      .values(
        Array.from({ length: 4 }, (_, i) => ({
          id: 800_000 + i,
          symbol: 'BTC_USDC',
          price: '1',
          quantity: huge,
          quote_quantity: huge,
          taker_side: 'Bid',
          maker_order_id: 1,
          taker_order_id: 2,
          maker_subaccount_id: account,
          taker_subaccount_id: account,
          maker_client_id: null,
          taker_client_id: null,
          maker_fee: '0',
          taker_fee: '0',
          created_at: ctx.clock.now - 60_000,
        })),
      )
      .execute();
    const ticker = await ctx.send({ method: 'GET', url: '/api/v1/ticker?symbol=BTC_USDC' });
    expect(ticker.statusCode).toBe(200);
    expect(ticker.json()).toMatchObject({ symbol: 'BTC_USDC', trades: '4' });
    expect((await ctx.send({ method: 'GET', url: '/api/v1/tickers' })).statusCode).toBe(200);
    await ctx.db.deleteFrom('trades').where('id', '>=', 800_000).execute();
  });
});

describe('public 500', () => {
  it('refuses /api/v1/trades?offset=abc, 1.5 and empty with a 400 (and every other paging parameter)', async () => {
    const urls: string[] = [];
    for (const value of ['abc', '1.5', '', '-1', '1e400', '99999999999999999999']) {
      const v = encodeURIComponent(value);
      urls.push(
        `/api/v1/trades?symbol=SOL_USDC&offset=${v}`,
        `/api/v1/trades?symbol=SOL_USDC&limit=${v}`,
        `/api/v1/trades/history?symbol=SOL_USDC&offset=${v}`,
        `/api/v1/depth?symbol=SOL_USDC&limit=${v}`,
        `/api/v1/klines?symbol=SOL_USDC&interval=1m&startTime=${v}`,
        `/api/v1/klines?symbol=SOL_USDC&interval=1m&startTime=0&endTime=${v}`,
      );
    }
    for (const url of urls) {
      const res = await ctx.send({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code: 'INVALID_CLIENT_REQUEST' });
    }
    for (const [path, param] of [
      ['/wapi/v1/history/orders', 'offset'],
      ['/wapi/v1/history/fills', 'limit'],
      ['/wapi/v1/capital/deposits', 'from'],
      ['/wapi/v1/capital/withdrawals', 'to'],
    ] as const) {
      for (const value of ['abc', '1.5', '-1']) {
        const res = await ctx.signed(key, { method: 'GET', path, query: { [param]: value } });
        expect(res.statusCode, `${path}?${param}=${value}`).toBe(400);
      }
    }
  });
});

describe('unauthenticated 500', () => {
  const deep = (n: number): string => `${'['.repeat(n)}${']'.repeat(n)}`;

  it('answers a signed POST whose JSON body is nested 10,000 deep with 400, not a stack overflow', async () => {
    const { headers } = await signedHeaders({ method: 'POST', path: '/api/v1/order', body: { symbol: 'X' } });
    for (const [url, payload] of [
      ['/api/v1/order', `{"symbol":"SOL_USDC","x":${deep(10_000)}}`],
      ['/api/v1/orders', `[${deep(10_000)}]`],
      ['/wapi/v1/capital/withdrawals', `{"a":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`],
    ] as const) {
      const res = await ctx.send({ method: 'POST', url, headers, payload });
      expectBackpackError(res, 400, 'INVALID_CLIENT_REQUEST');
    }
    const del = await ctx.send({
      method: 'DELETE',
      url: '/api/v1/order',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: `{"x":${deep(10_000)}}`,
    });
    expectBackpackError(del, 400, 'INVALID_CLIENT_REQUEST');
  });

  it('answers a badly signed body holding a lone surrogate with 401, not a 500 (found by fuzzing)', async () => {
    const { headers } = await signedHeaders({ method: 'POST', path: '/api/v1/order', body: { symbol: 'X' } });
    const res = await ctx.send({
      method: 'POST',
      url: '/api/v1/order',
      headers: { ...headers, 'content-type': 'application/json' },
      payload: '{"symbol":"\\ud800"}',
    });
    expectBackpackError(res, 401, 'INVALID_SIGNATURE');
  });

  it('answers a console POST nested 10,000 deep with 400', async () => {
    const res = await ctx.send({
      method: 'POST',
      url: '/console/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: `{"email":${deep(10_000)}}`,
    });
    expectBackpackError(res, 400, 'INVALID_CLIENT_REQUEST');
  });
});

describe('small ones', () => {
  it('refuses 15 of the 16 base64 spellings of one signature', async () => {
    const { headers, url } = await signedHeaders({ method: 'GET', path: '/api/v1/capital' });
    const signature = headers['X-Signature'] as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const last = alphabet.indexOf(signature[85] as string);
    const spellings = Array.from(
      { length: 16 },
      (_, spare) => `${signature.slice(0, 85)}${alphabet[(last & 0b110000) | spare]}==`,
    );
    expect(new Set(spellings).size).toBe(16);
    const statuses = [];
    for (const spelling of spellings) {
      const res = await ctx.send({ method: 'GET', url, headers: { ...headers, 'X-Signature': spelling } });
      statuses.push(res.statusCode);
      if (spelling !== signature) expectBackpackError(res, 400, 'INVALID_CLIENT_REQUEST');
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
  });

  it('refuses subaccountId=1&subaccountId=2 (and a query and body that both name one)', async () => {
    const signer = await createSigner(key.secret);
    // Signed by hand: the SDK never sends a parameter twice.
    const { formatSigningString } = await import('../src/protocol/signing-string.ts');
    const text = formatSigningString({
      instruction: 'balanceQuery',
      segments: [
        [
          ['subaccountId', '0'],
          ['subaccountId', '1'],
        ],
      ],
      timestamp: String(ctx.clock.now),
      window: '5000',
    });
    const dup = await ctx.send({
      method: 'GET',
      url: '/api/v1/capital?subaccountId=0&subaccountId=1',
      headers: {
        'X-API-Key': key.apiKey,
        'X-Signature': await signer.sign(text),
        'X-Timestamp': String(ctx.clock.now),
        'X-Window': '5000',
      },
    });
    expectBackpackError(dup, 400, 'INVALID_CLIENT_REQUEST');
  });

  it('answers a bad percent-encoding in the path in Backpack format', async () => {
    for (const url of ['/api/v1/%zz', '/%E0%A4%A', '/console/api/%', '/wapi/v1/capital/%ff%']) {
      const res = await ctx.send({ method: 'GET', url });
      expectBackpackError(res, 400, 'INVALID_CLIENT_REQUEST');
    }
  });

  it('marks the session cookie Secure behind a trusted TLS proxy, or when configured', async () => {
    const cookieOf = async (
      options: Parameters<typeof createConsoleTestContext>[0],
      headers: Record<string, string>,
    ): Promise<string> => {
      const console = await createConsoleTestContext(options);
      try {
        const agent = console.agent();
        const res = await agent.request('POST', '/auth/signup', {
          body: { email: `c${Date.now()}${Math.random()}@example.com`, password: PASSWORD },
          headers,
        });
        expect(res.statusCode).toBe(201);
        return String(res.headers['set-cookie']);
      } finally {
        await console.close();
      }
    };
    const tls = { 'x-forwarded-proto': 'https' };
    expect(await cookieOf({ app: { trustProxy: true } }, tls)).toMatch(/; Secure/);
    expect(await cookieOf({}, tls)).not.toMatch(/; Secure/);
    expect(
      await cookieOf({ console: { requireTwoFactorForKeys: false, secureCookies: 'always' } }, {}),
    ).toMatch(/; Secure/);
  });
});

describe('open minting', () => {
  it('SIGNET_SANDBOX_DEPOSITS=off: the console route answers 403 and the session says so', async () => {
    const off = await createConsoleTestContext({
      console: {
        requireTwoFactorForKeys: false,
        sandboxDeposits: { enabled: false, maxPerCall: '1', maxPerDay: '1' },
      },
    });
    try {
      const { agent } = await off.signedUpAgent();
      expect((await agent.request('GET', '/session')).json()).toMatchObject({ sandboxDeposits: false });
      const res = await agent.request('POST', '/exchange/deposits', {
        body: { symbol: 'USDC', quantity: '1' },
      });
      expect(res.statusCode).toBe(403);
      // A console route: Backpack's code and message, plus the detail the console translates by.
      expect(res.json()).toEqual({
        code: 'FORBIDDEN',
        detail: 'SANDBOX_DEPOSITS_OFF',
        message: 'Sandbox deposits are turned off on this server',
      });
    } finally {
      await off.close();
    }
  });

  it('caps each console deposit and each user-day; `signet deposit` (the service the CLI calls) is not capped', async () => {
    const capped = await createConsoleTestContext({
      console: {
        requireTwoFactorForKeys: false,
        sandboxDeposits: { enabled: true, maxPerCall: '100', maxPerDay: '250' },
      },
    });
    try {
      const { agent, email } = await capped.signedUpAgent();
      const deposit = (quantity: string) =>
        agent.request('POST', '/exchange/deposits', { body: { symbol: 'USDC', quantity } });
      expectBackpackError(await deposit('100.000001'), 400, 'INVALID_QUANTITY');
      expect((await deposit('100')).statusCode).toBe(201);
      expect((await deposit('100')).statusCode).toBe(201);
      const over = await deposit('50.000001');
      expectBackpackError(over, 400, 'INVALID_QUANTITY');
      expect(over.json<{ message: string }>().message).toMatch(/per day/);
      expect((await deposit('50')).statusCode).toBe(201);
      capped.clock.now += 86_400_001;
      expect((await agent.logIn(email, PASSWORD)).statusCode).toBe(200);
      expect((await deposit('100')).statusCode).toBe(201);
      // The operator's path (what `signet deposit` calls) is not the console's and has no such cap.
      const owner = await requireUserByEmail(capped.db, email);
      const markets = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
      const operator = await depositTestFunds(capped.db, markets, {
        userId: owner.id,
        symbol: 'USDC',
        quantity: '5000',
      });
      expect(operator.quantity).toBe(5_000_000_000n);
    } finally {
      await capped.close();
    }
  });
});

describe('slow clients', () => {
  it('closes a connection that sends one header line at a time past the headers timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-slow-'));
    const server = await startServer(
      { port: 0, host: '127.0.0.1', databaseUrl: join(dir, 'signet.db') },
      { timeouts: { headersTimeoutMs: 500, requestTimeoutMs: 1000, keepAliveTimeoutMs: 500 } },
    );
    try {
      const port = Number(new URL(server.url).port);
      const started = Date.now();
      const outcome = await new Promise<{ closedAfterMs: number; answer: string }>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        let line = 0;
        socket.on('connect', () => socket.write('GET /api/v1/status HTTP/1.1\r\nHost: x\r\n'));
        const drip = setInterval(() => {
          if (!socket.destroyed) socket.write(`X-Slow-${line++}: ${line}\r\n`);
        }, 100);
        socket.on('data', (chunk) => (answer += chunk.toString()));
        socket.on('error', () => {});
        socket.on('close', () => {
          clearInterval(drip);
          resolve({ closedAfterMs: Date.now() - started, answer });
        });
      });
      // Closed by the server (the drip never stops by itself) well before a slow client would give up.
      expect(outcome.closedAfterMs).toBeLessThan(5000);
      expect(outcome.answer).toMatch(/^HTTP\/1.1 408 [^]*"code":"INVALID_CLIENT_REQUEST"/);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
