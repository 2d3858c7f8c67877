/**
 * `signet serve --workers 2` on SQLite, with no Redis or with Redis stopped: replay refusal and rate limits are
 * shared by the workers through the cluster primary, so a request replayed to the other worker is refused and a
 * limit counts every worker's requests exactly once. Which worker answered is read from the request log (each
 * request carries its own X-Request-Id; each log line names its pid).
 */
import { request as httpRequest } from 'node:http';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { createSqliteDatabase, type TestDatabase } from './helpers/dialects.ts';
import { startPrivateRedis, type PrivateRedis } from './helpers/redis-server.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';
import { startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

interface Answer {
  status: number;
  body: string;
  /** The pid of the worker that answered, from its request log. */
  pid: number;
}

let sent = 0;

/** One request on a connection of its own (no keep-alive), so the cluster hands it to the next worker. */
function sendOnNewConnection(
  server: SignetProcess,
  spec: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<Omit<Answer, 'pid'> & { requestId: string }> {
  const requestId = `shared-state-${process.pid}-${(sent += 1)}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      server.url + spec.path,
      {
        method: spec.method,
        agent: false,
        headers: { ...spec.headers, 'x-request-id': requestId, connection: 'close' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, requestId }));
      },
    );
    req.on('error', reject);
    req.end(spec.body);
  });
}

/** The pid that logged the request id (the worker that answered). */
async function answeredBy(server: SignetProcess, requestId: string): Promise<number> {
  for (let i = 0; i < 50; i++) {
    for (const line of server.output().split('\n')) {
      if (!line.includes(requestId)) continue;
      const entry = JSON.parse(line) as { reqId?: string; pid?: number };
      if (entry.reqId === requestId && entry.pid !== undefined) return entry.pid;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line for ${requestId}`);
}

async function send(server: SignetProcess, spec: Parameters<typeof sendOnNewConnection>[1]): Promise<Answer> {
  const { requestId, ...answer } = await sendOnNewConnection(server, spec);
  return { ...answer, pid: await answeredBy(server, requestId) };
}

/** A funded subaccount and its key, written straight to the database the server uses. */
async function fundedSigner(databaseUrl: string, name: string) {
  const db = await openStore(databaseUrl);
  try {
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const user = await createUser(db, { email: `${name}@example.com`, password: 'long enough password' });
    const sub = await createSubaccount(db, { userId: user.id, name });
    await depositTestFunds(db, config, {
      userId: user.id,
      subaccountId: sub.id,
      symbol: 'USDC',
      quantity: '10000',
    });
    const { secret } = await createApiKey(db, { userId: user.id, name, subaccountId: sub.id });
    return createSigner(secret!);
  } finally {
    await db.destroy();
  }
}

async function signed(signer: Awaited<ReturnType<typeof createSigner>>, spec: SignedRequestSpec) {
  const prepared = await createSignedRequest(spec, signer);
  return {
    method: prepared.method,
    path: prepared.pathWithQuery,
    headers: { ...prepared.headers, 'content-type': 'application/json' },
    body: prepared.body,
  };
}

const order = (clientId: number): SignedRequestSpec => ({
  method: 'POST',
  path: '/api/v1/order',
  body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '10', quantity: '1', clientId },
});

/** Sends `request` once, then replays it on new connections until a replay reached the other worker. */
async function expectReplayRefusedByOtherWorker(
  server: SignetProcess,
  request: Parameters<typeof send>[1],
): Promise<void> {
  const first = await send(server, request);
  expect(first.status).toBe(200);
  const replays: Answer[] = [];
  while (!replays.some((answer) => answer.pid !== first.pid)) {
    if (replays.length >= 6) throw new Error('no replay reached the other worker');
    replays.push(await send(server, request));
  }
  for (const replay of replays) {
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body)).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/already used/),
    });
  }
}

describe('signet serve --workers 2 on SQLite without Redis', () => {
  let database: TestDatabase;
  let server: SignetProcess;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    server = await startSignetProcess({
      databaseUrl: database.url,
      workers: 2,
      // Not a public /api route: the readiness polling must not count against the public limit.
      readyPath: '/healthz',
      env: {
        REDIS_URL: '',
        SIGNET_RATE_LIMITS: 'on',
        SIGNET_RATE_LIMIT_SIGNED: '10',
        SIGNET_RATE_LIMIT_PUBLIC: '8',
      },
    });
  }, 90_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await database?.drop();
  });

  it('refuses a signed order replayed to the other worker', async () => {
    const signer = await fundedSigner(database.url, 'replayed');
    await expectReplayRefusedByOtherWorker(server, await signed(signer, order(1)));
  }, 30_000);

  it('refuses a subaccount after exactly its limit in total, whichever worker counts', async () => {
    const signer = await fundedSigner(database.url, 'limited');
    const answers: Answer[] = [];
    for (let i = 0; i < 16; i++) {
      answers.push(await send(server, await signed(signer, { method: 'GET', path: '/api/v1/capital' })));
    }
    expect(new Set(answers.map((answer) => answer.pid)).size).toBe(2);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(10).fill(200), ...Array(6).fill(429)]);
  }, 30_000);

  it('refuses an address on public routes after exactly the limit in total', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 12; i++) answers.push(await send(server, { method: 'GET', path: '/api/v1/markets' }));
    expect(new Set(answers.map((answer) => answer.pid)).size).toBe(2);
    expect(answers.map((answer) => answer.status)).toEqual([...Array(8).fill(200), ...Array(4).fill(429)]);
  }, 30_000);
});

describe.skipIf(!REDIS_SERVER.available)('signet serve --workers 2 with REDIS_URL, Redis stopped', () => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  let server: SignetProcess;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    redis = await startPrivateRedis();
    server = await startSignetProcess({
      databaseUrl: database.url,
      workers: 2,
      env: { REDIS_URL: redis.url },
    });
  }, 90_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await redis?.stop();
    await database?.drop();
  });

  it('refuses a replay to the other worker through Redis, and through the primary while Redis is down', async () => {
    const signer = await fundedSigner(database.url, 'outage');
    await expectReplayRefusedByOtherWorker(server, await signed(signer, order(1)));

    await redis.stop();
    // Both workers notice the closed connection (and warn once each).
    for (let i = 0; i < 100 && server.output().split('Redis is unreachable').length < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(server.output().split('Redis is unreachable').length - 1).toBe(2);
    await expectReplayRefusedByOtherWorker(server, await signed(signer, order(2)));
  }, 30_000);
});
