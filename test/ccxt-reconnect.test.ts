/**
 * ccxt pro `watchOrders` through a server restart (issue 19.4): a real `signet serve` process is stopped under a
 * live bot loop, stays down, and starts again on the same port and database. ccxt signs its SUBSCRIBE when
 * `watchOrders` is called and dials only after its reconnect back-off (1, 2, 4, 8, 16 s...), so the signature it
 * sends after a long outage is older than its 5 s window. With Signet's SUBSCRIBE age rule (docs/STREAMS.md,
 * "Reconnecting") the bot's own orders flow again by themselves; with the rule off
 * (SIGNET_WS_SUBSCRIBE_MAX_AGE_MS=0, the strict window) ccxt gets 4102 and never subscribes again, which is what
 * the second case shows, so the first cannot pass by accident.
 */
import ccxt, { type Exchange as CcxtExchange } from 'ccxt';
import { afterAll, describe, expect, it } from 'vitest';

import { createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { createSqliteDatabase, type TestDatabase } from './helpers/dialects.ts';
import { freePort, startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function fundedKey(databaseUrl: string): Promise<{ apiKey: string; secret: string }> {
  const db = await openStore(databaseUrl);
  try {
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const user = await createUser(db, {
      email: `reconnect-${process.pid}-${Date.now()}@example.com`,
      password: 'long enough password',
    });
    const { key, secret } = await createApiKey(db, { userId: user.id, name: 'bot' });
    await depositTestFunds(db, config, {
      userId: user.id,
      subaccountId: key.subaccountId,
      symbol: 'USDC',
      quantity: '100000',
    });
    return { apiKey: key.apiKey, secret: secret as string };
  } finally {
    await db.destroy();
  }
}

/** A bot as the README shows it: a loop around watchOrders that logs errors and carries on. */
function botLoop(exchange: CcxtExchange): { seen: Set<string>; errors: string[]; stop: () => void } {
  const seen = new Set<string>();
  const errors: string[] = [];
  let running = true;
  void (async () => {
    while (running) {
      try {
        for (const order of await exchange.watchOrders('SOL/USDC')) seen.add(String(order.id));
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  })();
  return { seen, errors, stop: () => (running = false) };
}

describe('ccxt pro watchOrders across a server restart', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  });

  async function run(outageMs: number, env: NodeJS.ProcessEnv, waitAfterMs: number) {
    const database: TestDatabase = await createSqliteDatabase();
    cleanup.push(() => database.drop());
    const port = await freePort();
    let server: SignetProcess = await startSignetProcess({ databaseUrl: database.url, port, env });
    cleanup.push(() => server.stop());
    const key = await fundedKey(database.url);
    const url = server.url;
    const wsUrl = url.replace('http://', 'ws://');
    const exchange = new ccxt.pro.backpack({
      apiKey: key.apiKey,
      secret: key.secret,
      urls: { api: { public: url, private: url, ws: { public: wsUrl, private: wsUrl } } },
    });
    cleanup.push(() => exchange.close());
    await exchange.loadHttpProxyAgent();
    await exchange.loadMarkets();
    const bot = botLoop(exchange);
    cleanup.push(async () => bot.stop());
    await sleep(500);
    const before = await exchange.createOrder('SOL/USDC', 'limit', 'buy', 0.1, 10);
    for (let i = 0; i < 50 && !bot.seen.has(String(before.id)); i++) await sleep(100);
    expect(bot.seen.has(String(before.id))).toBe(true);

    await server.stop();
    await sleep(outageMs);
    server = await startSignetProcess({ databaseUrl: database.url, port, env });
    // Orders keep being placed (REST works at once); does the bot's stream see one of them?
    const placedAfter: string[] = [];
    const deadline = Date.now() + waitAfterMs;
    while (Date.now() < deadline && !placedAfter.some((id) => bot.seen.has(id))) {
      placedAfter.push(String((await exchange.createOrder('SOL/USDC', 'limit', 'buy', 0.1, 10)).id));
      await sleep(1000);
    }
    bot.stop();
    return { recovered: placedAfter.some((id) => bot.seen.has(id)), errors: bot.errors };
  }

  it('recovers by itself after a 30 s outage (stale SUBSCRIBE accepted while the key is valid)', async () => {
    const { recovered, errors } = await run(30_000, {}, 60_000);
    expect(errors.some((message) => /ECONNREFUSED|connect|closed|NetworkError/i.test(message))).toBe(true);
    expect(errors.filter((message) => /expired/i.test(message))).toEqual([]);
    expect(recovered).toBe(true);
  }, 180_000);

  it('stays deaf after a 12 s outage when the rule is off (the strict 5 s window)', async () => {
    const { recovered, errors } = await run(12_000, { SIGNET_WS_SUBSCRIBE_MAX_AGE_MS: '0' }, 20_000);
    expect(errors.some((message) => /expired/i.test(message))).toBe(true);
    expect(recovered).toBe(false);
  }, 120_000);
});
