/* eslint-disable @typescript-eslint/no-explicit-any -- frames and bodies are arbitrary JSON, read by assertions */
/**
 * Stream events across processes: two real `signet serve` processes on one SQLite file (the outbox), one process
 * with `--workers 2` (the default on this machine: its workers share the file the same way), and two
 * nodes whose events travel through Redis pub/sub, which keep crossing while that Redis is stopped (the database
 * path) and after it is back. Each round places orders through both nodes and matches them on node A; a watcher
 * on node B must see the depth updates with contiguous U/u over the whole test (no gap, even across the Redis
 * outage), the trades in order, and the maker's own order updates only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore, type Store } from '../src/store/create-database.ts';
import { createSqliteDatabase, DIALECTS, type TestDatabase } from './helpers/dialects.ts';
import { startPrivateRedis, type PrivateRedis } from './helpers/redis-server.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';
import { startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';
import {
  RawStreamClient,
  startStreamTestServer,
  subscribeSignature,
  type StreamTestServer,
  type Trader,
} from './helpers/stream-context.ts';

type Place = (node: 0 | 1, trader: Trader, body: Record<string, unknown>) => Promise<any>;

/** A new user with SOL and USDC on its main subaccount and a full-access key. */
async function fundedTrader(db: Store, name: string): Promise<Trader> {
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, {
    email: `${name}-${Date.now()}@example.com`,
    password: 'long password',
  });
  const { key, secret } = await createApiKey(db, { userId: user.id, name });
  for (const [symbol, quantity] of [
    ['SOL', '100'],
    ['USDC', '100000'],
  ] as const) {
    await depositTestFunds(db, config, { userId: user.id, subaccountId: key.subaccountId, symbol, quantity });
  }
  const signer = await createSigner(secret as string);
  return { userId: user.id, subaccountId: key.subaccountId, apiKey: key.apiKey, secret: secret!, signer };
}

/** A watcher on node B: public depth and trades, and the maker's private order updates. */
async function watchNodeB(
  wsUrl: string,
  maker: Trader,
): Promise<{ market: RawStreamClient; mine: RawStreamClient }> {
  const market = await RawStreamClient.open(wsUrl);
  market.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC', 'trade.SOL_USDC'] });
  const mine = await RawStreamClient.open(wsUrl);
  mine.send({
    method: 'SUBSCRIBE',
    params: ['account.orderUpdate'],
    signature: await subscribeSignature(maker),
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { market, mine };
}

/**
 * One round: four asks from the maker at `price`..`price`+3 through A and B in turn, then a market buy of all four
 * through A. Checks what B's watchers see; `lastU` carries the depth sequence from round to round.
 */
async function round(options: {
  place: Place;
  depthUrlB: string;
  watch: { market: RawStreamClient; mine: RawStreamClient };
  maker: Trader;
  taker: Trader;
  price: number;
  lastU: { value: number | null };
}): Promise<void> {
  const { place, watch, maker, taker, price, lastU } = options;
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) {
    const body = await place(i % 2 === 0 ? 0 : 1, maker, {
      symbol: 'SOL_USDC',
      side: 'Ask',
      orderType: 'Limit',
      price: String(price + i),
      quantity: '1',
    });
    ids.push(body.id);
  }
  const taken = await place(0, taker, {
    symbol: 'SOL_USDC',
    side: 'Bid',
    orderType: 'Market',
    quantity: '4',
  });

  const rest = await fetch(options.depthUrlB).then((r) => r.json());
  for (;;) {
    const frame = await watch.market.next((f) => f.stream === 'depth.SOL_USDC', 8000);
    if (lastU.value !== null) expect(frame.data.U).toBe(lastU.value + 1);
    lastU.value = frame.data.u;
    if (frame.data.u >= Number(rest.lastUpdateId)) break;
  }
  const trades = [];
  for (let i = 0; i < 4; i++)
    trades.push(await watch.market.next((f) => f.stream === 'trade.SOL_USDC', 8000));
  expect(trades.map((t) => Number(t.data.p))).toEqual([price, price + 1, price + 2, price + 3]);

  const accepted = [];
  for (let i = 0; i < 4; i++)
    accepted.push(await watch.mine.next((f) => f.data?.e === 'orderAccepted', 8000));
  expect(accepted.map((f) => f.data.i)).toEqual(ids);
  const fills = [];
  for (let i = 0; i < 4; i++) fills.push(await watch.mine.next((f) => f.data?.e === 'orderFill', 8000));
  expect(fills.map((f) => f.data.i)).toEqual(ids);
  expect(watch.mine.frames.some((f) => f.data?.i === taken.id)).toBe(false);
}

describe('two signet serve processes on one SQLite file', () => {
  let database: TestDatabase;
  let nodes: SignetProcess[] = [];
  let db: Store;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    // One after the other: the first creates the schema.
    nodes.push(await startSignetProcess({ databaseUrl: database.url, env: { LOG_LEVEL: 'warn' } }));
    nodes.push(await startSignetProcess({ databaseUrl: database.url, env: { LOG_LEVEL: 'warn' } }));
    db = await openStore(database.url);
  }, 90_000);
  afterAll(async () => {
    await db?.destroy();
    for (const node of nodes) expect(await node.stop()).toBe(0);
    nodes = [];
    await database?.drop();
  });

  const trader = (name: string): Promise<Trader> => fundedTrader(db, name);

  const place: Place = async (node, who, body) => {
    const request = await createSignedRequest(
      { method: 'POST', path: '/api/v1/order', body: body as never },
      who.signer,
    );
    const response = await fetch(nodes[node]!.url + request.pathWithQuery, {
      method: request.method,
      headers: request.headers,
      body: request.body,
    });
    const answer = await response.json();
    expect(response.status, JSON.stringify(answer)).toBe(200);
    return answer;
  };

  it('shows orders matched on A to subscribers on B, in order, with contiguous depth sequences', async () => {
    const maker = await trader('maker');
    const taker = await trader('taker');
    const watch = await watchNodeB(nodes[1]!.url.replace('http://', 'ws://'), maker);
    const lastU = { value: null as number | null };
    const depthUrlB = `${nodes[1]!.url}/api/v1/depth?symbol=SOL_USDC`;
    for (const price of [150, 160, 170]) await round({ place, depthUrlB, watch, maker, taker, price, lastU });
    // Both processes are live, so the events went through the outbox.
    const { count } = await db
      .selectFrom('stream_outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(Number(count)).toBeGreaterThan(0);
    watch.market.close();
    watch.mine.close();
  }, 60_000);
});

describe('signet serve --workers 2 on one SQLite file', () => {
  let database: TestDatabase;
  let node: SignetProcess | undefined;
  let db: Store;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    node = await startSignetProcess({ databaseUrl: database.url, workers: 2, env: { LOG_LEVEL: 'warn' } });
    db = await openStore(database.url);
  }, 90_000);
  afterAll(async () => {
    await db?.destroy();
    if (node) expect(await node.stop()).toBe(0);
    await database?.drop();
  });

  it('gives subscribers on every worker the orders matched on any worker, in order', async () => {
    const [maker, taker] = [await fundedTrader(db, 'maker'), await fundedTrader(db, 'taker')];
    // The primary hands connections to the workers in turn: four sockets reach both.
    const watchers = await Promise.all(
      [0, 1, 2, 3].map(() => RawStreamClient.open(node!.url.replace('http://', 'ws://'))),
    );
    for (const watcher of watchers)
      watcher.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC', 'trade.SOL_USDC'] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const order = async (who: Trader, body: Record<string, unknown>) => {
      // A new connection per order, so the orders too are spread over the workers.
      const request = await createSignedRequest(
        { method: 'POST', path: '/api/v1/order', body: body as never },
        who.signer,
      );
      const response = await fetch(node!.url + request.pathWithQuery, {
        method: request.method,
        headers: { ...request.headers, connection: 'close' },
        body: request.body,
      });
      expect(response.status).toBe(200);
    };
    for (let i = 0; i < 4; i++) {
      await order(maker, {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: String(150 + i),
        quantity: '1',
      });
    }
    await order(taker, { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Market', quantity: '4' });
    const rest = await fetch(`${node!.url}/api/v1/depth?symbol=SOL_USDC`).then((r) => r.json());
    for (const watcher of watchers) {
      let last: number | null = null;
      for (;;) {
        const frame = await watcher.next((f) => f.stream === 'depth.SOL_USDC', 8000);
        if (last !== null) expect(frame.data.U).toBe(last + 1);
        last = frame.data.u;
        if (frame.data.u >= Number(rest.lastUpdateId)) break;
      }
      const trades = [];
      for (let i = 0; i < 4; i++) trades.push(await watcher.next((f) => f.stream === 'trade.SOL_USDC', 8000));
      expect(trades.map((t) => Number(t.data.p))).toEqual([150, 151, 152, 153]);
      watcher.close();
    }
  }, 60_000);
});

const withRedis = describe.skipIf(!REDIS_SERVER.available);
withRedis.each(DIALECTS)('two nodes on %s with Redis pub/sub', (dialect, create) => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  let nodeA: StreamTestServer;
  let nodeB: StreamTestServer;

  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await nodeA?.close();
    await nodeB?.close();
    await database?.drop();
    await redis?.stop();
  });

  const outboxRows = async (): Promise<number> => {
    const { count } = await nodeA.server.db
      .selectFrom('stream_outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    return Number(count);
  };

  it('crosses through Redis, through the database while Redis is down, and through Redis once it is back', async () => {
    database = await create();
    nodeA = await startStreamTestServer(dialect, { redisUrl: redis.url }, database);
    nodeB = await startStreamTestServer(dialect, { redisUrl: redis.url }, database);
    const maker = await nodeA.trader({ funds: { SOL: '100', USDC: '100000' } });
    const taker = await nodeA.trader({ funds: { SOL: '100', USDC: '100000' } });
    const watch = await watchNodeB(nodeB.wsUrl, maker);
    const nodes = [nodeA, nodeB];
    const place: Place = async (node, who, body) => {
      const answer = await nodes[node]!.rest(who, 'POST', '/api/v1/order', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body;
    };
    const lastU = { value: null as number | null };
    const depthUrlB = `${nodeB.server.url}/api/v1/depth?symbol=SOL_USDC`;
    const run = (price: number) => round({ place, depthUrlB, watch, maker, taker, price, lastU });

    await run(150);
    // Redis up: nothing went through the outbox.
    if (dialect === 'sqlite') expect(await outboxRows()).toBe(0);

    await redis.stop();
    await run(160);
    if (dialect === 'sqlite') expect(await outboxRows()).toBeGreaterThan(0);

    await redis.start();
    // ioredis retries every second; give both nodes' links and subscribers time to come back.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const before = dialect === 'sqlite' ? await outboxRows() : 0;
    await run(170);
    if (dialect === 'sqlite') expect(await outboxRows()).toBe(before);
    watch.market.close();
    watch.mine.close();
  }, 60_000);
});
