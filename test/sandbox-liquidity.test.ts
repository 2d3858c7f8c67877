/**
 * The sandbox as a newcomer meets it: `signet serve` with the defaults of `npm start` (SIGNET_LIQUIDITY unset, so
 * on; two workers, this machine's core count) on a fresh SQLite file, and two PostgreSQL nodes. Real processes,
 * real HTTP and WebSocket, real ccxt and ccxt pro with default options, `signet audit` as an operator runs it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import ccxt from 'ccxt';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser } from '../src/accounts/index.ts';
import { depositTestFunds, readMarketConfigFile } from '../src/exchange/index.ts';
import { createApiKey } from '../src/keys/index.ts';
import { findMakerUser } from '../src/liquidity/index.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore, type Store } from '../src/store/create-database.ts';
import { createPostgresDatabase, createSqliteDatabase, type TestDatabase } from './helpers/dialects.ts';
import { SIGNET_BIN } from './helpers/signed-fetch.ts';
import { startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const run = promisify(execFile);
const SYMBOL = 'SOL_USDC';

/** The environment of `npm start`: the test default (SIGNET_LIQUIDITY=off, vitest.config.ts) unset. */
function sandboxEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { SIGNET_LIQUIDITY: '', ...extra };
}

interface Depth {
  bids: [string, string][];
  asks: [string, string][];
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return (await response.json()) as T;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Pids of processes that logged taking the makers, in order. */
function leaders(output: string): number[] {
  return output
    .split('\n')
    .filter((line) => line.includes('market makers: this process runs them'))
    .map((line) => (JSON.parse(line) as { pid: number }).pid);
}

async function fullBook(url: string): Promise<Depth | undefined> {
  const depth = await getJson<Depth>(`${url}/api/v1/depth?symbol=${SYMBOL}`);
  return depth.bids.length >= 10 && depth.asks.length >= 10 ? depth : undefined;
}

async function makerBalances(db: Store): Promise<{ available: string; locked: string }[]> {
  const userId = await findMakerUser(db);
  return db
    .selectFrom('balances')
    .innerJoin('subaccounts', 'subaccounts.id', 'balances.subaccount_id')
    .select([
      sql<string>`cast(available as text)`.as('available'),
      sql<string>`cast(locked as text)`.as('locked'),
    ])
    .where('subaccounts.user_id', '=', userId ?? '')
    .execute();
}

describe('npm start defaults on SQLite with two workers', () => {
  let database: TestDatabase;
  let server: SignetProcess;
  let db: Store;
  let readyAt: number;

  beforeAll(async () => {
    database = await createSqliteDatabase();
    server = await startSignetProcess({ databaseUrl: database.url, workers: 2, env: sandboxEnv() });
    readyAt = Date.now();
    db = await openStore(database.url);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    await db?.destroy();
    await database?.drop();
  });

  it('has ten levels a side of SOL_USDC, trades and klines within 15 s, run by exactly one worker', async () => {
    const depth = await waitFor('a full book', 15_000, () => fullBook(server.url)).catch((error: unknown) => {
      console.log(
        server
          .output()
          .split('\n')
          .filter((l) => !l.includes('reqId'))
          .join('\n'),
      );
      throw error;
    });
    const bestBid = Number(depth.bids.at(-1)?.[0]);
    const bestAsk = Number(depth.asks[0]?.[0]);
    expect(bestBid).toBeLessThan(bestAsk);
    const trades = await waitFor('trades', 15_000 - (Date.now() - readyAt), async () => {
      const list = await getJson<unknown[]>(`${server.url}/api/v1/trades?symbol=${SYMBOL}`);
      return list.length > 0 ? list : undefined;
    });
    expect(trades.length).toBeGreaterThan(0);
    const klines = await getJson<{ close: string }[]>(
      `${server.url}/api/v1/klines?symbol=${SYMBOL}&interval=1m&startTime=${Math.floor(readyAt / 1000) - 120}`,
    );
    expect(klines.length).toBeGreaterThan(0);
    expect(Date.now() - readyAt).toBeLessThan(15_000);
    expect(new Set(leaders(server.output())).size).toBe(1);
  });

  it('moves: ccxt pro watchOrderBook with default options resolves with both sides', async () => {
    const pro = new ccxt.pro.backpack({
      urls: {
        api: {
          public: server.url,
          private: server.url,
          ws: { public: wsUrl(server.url), private: wsUrl(server.url) },
        },
      },
    });
    await pro.loadHttpProxyAgent();
    try {
      const book = await pro.watchOrderBook('SOL/USDC');
      expect(Date.now() - readyAt).toBeLessThan(15_000); // the bound, counted from the server's start
      expect(book.bids.length).toBeGreaterThanOrEqual(10);
      expect(book.asks.length).toBeGreaterThanOrEqual(10);
      expect(book.bids[0]?.[0]).toBeLessThan(book.asks[0]?.[0] as number);
      const ticker = await pro.watchTicker('SOL/USDC');
      expect(ticker.last).toBeGreaterThan(0);
    } finally {
      await pro.close().catch(() => {});
    }
  }, 60_000);

  it("fills a person's market buy at the makers' asks", async () => {
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const user = await createUser(db, { email: 'newcomer@example.com', password: 'sandbox password' });
    await depositTestFunds(db, config, { userId: user.id, symbol: 'USDC', quantity: '10000' });
    const { key, secret } = await createApiKey(db, { userId: user.id, name: 'bot' });
    const rest = new ccxt.backpack({
      apiKey: key.apiKey,
      secret,
      urls: { api: { public: server.url, private: server.url } },
    });
    const before = await rest.fetchOrderBook('SOL/USDC');
    const order = await rest.createOrder('SOL/USDC', 'market', 'buy', 1);
    const filled = await rest.fetchOrder(order.id as string, 'SOL/USDC').catch(() => undefined);
    if (filled !== undefined) expect(filled.filled).toBe(1);
    const fills = await rest.fetchMyTrades('SOL/USDC');
    expect(fills.length).toBeGreaterThan(0);
    const bestAsk = before.asks[0]?.[0] as number;
    const bestBid = before.bids[0]?.[0] as number;
    for (const fill of fills) {
      expect(fill.side).toBe('buy');
      expect(fill.price).toBeGreaterThan(bestBid);
      expect(Math.abs((fill.price as number) - bestAsk) / bestAsk).toBeLessThan(0.01);
    }
    const makerUser = await findMakerUser(db);
    const counterparties = await db
      .selectFrom('trades')
      .innerJoin('subaccounts', 'subaccounts.id', 'trades.maker_subaccount_id')
      .select(['subaccounts.user_id', 'subaccounts.name'])
      .where(
        'trades.taker_subaccount_id',
        'in',
        db.selectFrom('subaccounts').select('id').where('user_id', '=', user.id),
      )
      .execute();
    expect(counterparties.length).toBe(fills.length);
    for (const row of counterparties) expect(row).toEqual({ user_id: makerUser, name: SYMBOL });
  }, 60_000);

  it('keeps `signet audit` passing and the makers never negative while they run', async () => {
    const until = Date.now() + 60_000;
    let samples = 0;
    let stop = false;
    const sampling = (async () => {
      while (!stop) {
        for (const balance of await makerBalances(db)) {
          expect(BigInt(balance.available)).toBeGreaterThanOrEqual(0n);
          expect(BigInt(balance.locked)).toBeGreaterThanOrEqual(0n);
        }
        samples += 1;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    })();
    let audits = 0;
    try {
      while (Date.now() < until) {
        const { stdout } = await run(process.execPath, [SIGNET_BIN, 'audit', '--database', database.url]);
        expect(stdout).toMatch(/Ledger audit passed/);
        audits += 1;
      }
    } finally {
      stop = true;
      await sampling;
    }
    expect(audits).toBeGreaterThanOrEqual(3);
    expect(samples).toBeGreaterThanOrEqual(40);
    const deposits = await db.selectFrom('deposits').select('symbol').execute();
    expect(deposits.length).toBeGreaterThan(0); // inventory came from recorded deposits
  }, 120_000);

  it('hands the makers to the other worker within 10 s when the leading one is killed', async () => {
    const [leader] = leaders(server.output());
    expect(leader).toBeDefined();
    const killedAt = Date.now();
    process.kill(leader as number, 'SIGKILL');
    const next = await waitFor('a new leader', 10_000, async () =>
      leaders(server.output()).find((pid) => pid !== leader),
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(next).not.toBe(leader);
    await waitFor('the book after the takeover', 10_000, () => fullBook(server.url));
  }, 40_000);
});

describe('two PostgreSQL nodes', () => {
  let database: TestDatabase | undefined;
  const nodes: SignetProcess[] = [];

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await database?.drop();
  });

  it('run exactly one maker set; killing its node hands it to the other within 10 s and the book recovers', async () => {
    database = await createPostgresDatabase();
    nodes.push(await startSignetProcess({ databaseUrl: database.url, env: sandboxEnv() }));
    nodes.push(await startSignetProcess({ databaseUrl: database.url, env: sandboxEnv() }));
    const [a, b] = nodes as [SignetProcess, SignetProcess];
    await waitFor('a full book', 20_000, () => fullBook(b.url));
    await new Promise((resolve) => setTimeout(resolve, 3000)); // both nodes have tried the lease since
    const running = [...leaders(a.output()), ...leaders(b.output())];
    expect(running).toHaveLength(1);
    const [leader, other] = leaders(a.output()).length === 1 ? [a, b] : [b, a];
    const killedAt = Date.now();
    leader.child.kill('SIGKILL');
    await waitFor('the other node leading', 10_000, async () =>
      leaders(other.output()).length > 0 ? true : undefined,
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    // The book recovers and moves: a new trade after the takeover.
    const since = Date.now();
    await waitFor('trades after the takeover', 15_000, async () => {
      const list = await getJson<{ timestamp: number }[]>(`${other.url}/api/v1/trades?symbol=${SYMBOL}`);
      return list.some((trade) => trade.timestamp > since) ? true : undefined;
    });
    await waitFor('the book after the takeover', 10_000, () => fullBook(other.url));
  }, 120_000);
});

function wsUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}
