/**
 * Ids in time order across processes (issue 19.2): `signet serve --workers 2` plus a second process on one SQLite
 * file, and two PostgreSQL nodes. 1,000 crossing orders from 10 connections spread over the nodes; then: REST
 * trades (oldest first) have strictly increasing ids, the trade stream's `t` arrives strictly increasing on every
 * node and covers the same trades, every order's id increases with its acceptance time (the database's orders by
 * id have non-decreasing creation times), and the same holds after one node restarts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner, type Signer } from '../src/client/signer.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from './helpers/dialects.ts';
import { startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';
import { RawStreamClient } from './helpers/stream-context.ts';

const CONNECTIONS = 10;
const ORDERS_PER_CONNECTION = 100;

async function fundedSigners(databaseUrl: string, count: number): Promise<Signer[]> {
  const db = await openStore(databaseUrl);
  try {
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const signers: Signer[] = [];
    for (let i = 0; i < count; i++) {
      const email = `ids-${i}-${process.pid}-${Date.now()}@example.com`;
      const user = await createUser(db, { email, password: 'long enough password' });
      const sub = await createSubaccount(db, { userId: user.id, name: `ids ${i}` });
      for (const [symbol, quantity] of [
        ['USDC', '100000'],
        ['SOL', '1000'],
      ] as const) {
        await depositTestFunds(db, config, { userId: user.id, subaccountId: sub.id, symbol, quantity });
      }
      const { secret } = await createApiKey(db, { userId: user.id, name: `ids ${i}`, subaccountId: sub.id });
      signers.push(await createSigner(secret as string));
    }
    return signers;
  } finally {
    await db.destroy();
  }
}

async function placeOrder(node: SignetProcess, signer: Signer, side: 'Bid' | 'Ask'): Promise<void> {
  const request = await createSignedRequest(
    {
      method: 'POST',
      path: '/api/v1/order',
      body: { symbol: 'SOL_USDC', side, orderType: 'Limit', price: '100', quantity: '0.1' },
    },
    signer,
  );
  const response = await fetch(node.url + request.pathWithQuery, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
  });
  expect(response.status, await response.clone().text()).toBe(200);
  await response.arrayBuffer();
}

/** `perConnection` crossing orders from each signer, connection i on node i % nodes. */
async function crossingLoad(nodes: SignetProcess[], signers: Signer[], perConnection: number): Promise<void> {
  await Promise.all(
    signers.map(async (signer, i) => {
      const node = nodes[i % nodes.length] as SignetProcess;
      for (let n = 0; n < perConnection; n++)
        await placeOrder(node, signer, (n + i) % 2 === 0 ? 'Bid' : 'Ask');
    }),
  );
}

async function openTradeWatchers(nodes: SignetProcess[]): Promise<RawStreamClient[]> {
  const watchers = await Promise.all(
    nodes.map((node) => RawStreamClient.open(node.url.replace('http://', 'ws://'))),
  );
  for (const watcher of watchers) watcher.send({ method: 'SUBSCRIBE', params: ['trade.SOL_USDC'] });
  await new Promise((resolve) => setTimeout(resolve, 500));
  return watchers;
}

async function expectIdsInTimeOrder(
  databaseUrl: string,
  nodes: SignetProcess[],
  watchers: RawStreamClient[],
): Promise<void> {
  const db = await openStore(databaseUrl);
  let tradeCount: number;
  try {
    const orders = await db
      .selectFrom('orders')
      .select(['id', 'created_at'])
      .where('symbol', '=', 'SOL_USDC')
      .orderBy('id')
      .execute();
    expect(orders.length).toBeGreaterThanOrEqual(CONNECTIONS * ORDERS_PER_CONNECTION);
    for (let i = 1; i < orders.length; i++) {
      const [before, after] = [orders[i - 1], orders[i]] as [(typeof orders)[0], (typeof orders)[0]];
      if (Number(after.created_at) < Number(before.created_at)) {
        throw new Error(`order ${after.id} was accepted before order ${before.id}`);
      }
    }
    const trades = await db.selectFrom('trades').select(['id']).where('symbol', '=', 'SOL_USDC').execute();
    tradeCount = trades.length;
  } finally {
    await db.destroy();
  }
  expect(tradeCount).toBeGreaterThan(100);
  // REST, oldest first (by time): ids strictly increasing.
  for (const node of nodes) {
    const rest = (await fetch(`${node.url}/api/v1/trades?symbol=SOL_USDC&limit=1000`).then((r) =>
      r.json(),
    )) as {
      id: number;
    }[];
    expect(rest.length).toBe(Math.min(tradeCount, 1000));
    for (let i = 1; i < rest.length; i++) {
      expect(rest[i]?.id, `REST trade ${i}`).toBeGreaterThan(rest[i - 1]?.id as number);
    }
  }
  // The stream: every trade, `t` strictly increasing in arrival order, on every node.
  for (const watcher of watchers) {
    const deadline = Date.now() + 15_000;
    while (watcher.frames.filter((f) => f.stream === 'trade.SOL_USDC').length < tradeCount) {
      if (Date.now() > deadline) throw new Error('not every trade reached the stream');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ids = watcher.frames.filter((f) => f.stream === 'trade.SOL_USDC').map((f) => f.data.t as number);
    expect(ids.length).toBe(tradeCount);
    for (let i = 1; i < ids.length; i++)
      expect(ids[i], `stream trade ${i}`).toBeGreaterThan(ids[i - 1] as number);
  }
}

describe.each([
  ['one SQLite file: two workers and a second process', createSqliteDatabase, [2, 1]],
  ['two PostgreSQL nodes', createPostgresDatabase, [1, 1]],
] as const)('ids in time order on %s', (_name, create, workers) => {
  let database: TestDatabase;
  const nodes: SignetProcess[] = [];

  beforeAll(async () => {
    database = await create().catch(() => undefined as unknown as TestDatabase);
  }, 30_000);
  afterAll(async () => {
    for (const node of nodes) await node.stop();
    await database?.drop();
  });

  it('keeps trade ids and order ids in execution order under 1,000 crossing orders and a restart', async () => {
    if (database === undefined) database = await create(); // skips without PostgreSQL
    for (const count of workers)
      nodes.push(await startSignetProcess({ databaseUrl: database.url, workers: count }));
    const signers = await fundedSigners(database.url, CONNECTIONS);
    const watchers = await openTradeWatchers(nodes);
    await crossingLoad(nodes, signers, ORDERS_PER_CONNECTION);
    await expectIdsInTimeOrder(database.url, nodes, watchers);
    for (const watcher of watchers) watcher.close();

    // A restart of the second node: its ids continue after everything committed before.
    await nodes[1]?.stop();
    nodes[1] = await startSignetProcess({ databaseUrl: database.url, workers: workers[1] });
    await crossingLoad(nodes, signers, 10);
    await expectIdsInTimeOrder(database.url, nodes, []);
  }, 240_000);
});
