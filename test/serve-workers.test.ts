/**
 * `signet serve --workers 2` on SQLite and on PostgreSQL: many clients place crossing orders through both worker
 * processes at once; every order is matched once (no double fill), and the ledger audit passes afterwards.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { auditLedger } from '../src/exchange/persistence/ledger-audit.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import type { ExchangeConfig } from '../src/exchange/model/markets.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { defaultWorkerCount } from '../src/server/serve-process.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore, type Store } from '../src/store/create-database.ts';
import { DIALECTS, type TestDatabase } from './helpers/dialects.ts';
import { startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const TRADERS = 12;
const ORDERS_EACH = 25;

/** CPU time (ms) a process has used, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function workerPids(primary: number): number[] {
  return readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).map(Number);
}

describe('defaultWorkerCount()', () => {
  it('is the number of cores, unless SIGNET_WORKERS says otherwise', () => {
    expect(defaultWorkerCount({})).toBe(availableParallelism());
    expect(defaultWorkerCount({}, () => 7)).toBe(7);
    expect(defaultWorkerCount({ SIGNET_WORKERS: '3' }, () => 7)).toBe(3);
  });
});

describe.each(DIALECTS)('signet serve --workers 2 on %s', (_dialect, create) => {
  let database: TestDatabase;
  let server: SignetProcess;
  let db: Store;
  let config: ExchangeConfig;

  beforeAll(async () => {
    database = await create();
    config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    server = await startSignetProcess({ databaseUrl: database.url, workers: 2, env: { LOG_LEVEL: 'warn' } });
    db = await openStore(database.url);
  }, 90_000);
  afterAll(async () => {
    await db?.destroy();
    expect(await server?.stop()).toBe(0);
    await database?.drop();
  });

  it('matches orders from many clients through both workers once each, and the ledger audits clean', async () => {
    const pids = workerPids(server.child.pid!);
    expect(pids).toHaveLength(2);
    const cpuBefore = pids.map(cpuMs);

    const user = await createUser(db, { email: 'workers@example.com', password: 'long enough password' });
    const traders = [];
    for (let i = 0; i < TRADERS; i++) {
      const sub = await createSubaccount(db, { userId: user.id, name: `t${i}` });
      await depositTestFunds(db, config, {
        userId: user.id,
        subaccountId: sub.id,
        symbol: 'USDC',
        quantity: '100000',
      });
      await depositTestFunds(db, config, {
        userId: user.id,
        subaccountId: sub.id,
        symbol: 'SOL',
        quantity: '1000',
      });
      const { secret } = await createApiKey(db, { userId: user.id, name: `t${i}`, subaccountId: sub.id });
      traders.push(await createSigner(secret!));
    }

    const statuses: number[] = [];
    await Promise.all(
      traders.map(async (signer, t) => {
        for (let n = 0; n < ORDERS_EACH; n++) {
          const side = (t + n) % 2 === 0 ? 'Bid' : 'Ask';
          const price = String(99 + ((t * 7 + n * 3) % 3)); // 99..101: bids and asks cross often
          const prepared = await createSignedRequest(
            {
              method: 'POST',
              path: '/api/v1/order',
              body: { symbol: 'SOL_USDC', side, orderType: 'Limit', price, quantity: '0.5' },
            },
            signer,
          );
          const response = await fetch(server.url + prepared.pathWithQuery, {
            method: 'POST',
            headers: { ...prepared.headers, 'content-type': 'application/json' },
            body: prepared.body,
          });
          await response.arrayBuffer();
          statuses.push(response.status);
        }
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    // Both workers did part of the work (each used CPU while the orders ran).
    const used = pids.map((pid, i) => cpuMs(pid) - cpuBefore[i]!);
    expect(used.every((ms) => ms > 0)).toBe(true);

    const trades = await db.selectFrom('trades').selectAll().execute();
    expect(trades.length).toBeGreaterThan(10);
    const filled = new Map<number, bigint>();
    for (const trade of trades) {
      for (const id of [trade.maker_order_id, trade.taker_order_id]) {
        filled.set(Number(id), (filled.get(Number(id)) ?? 0n) + BigInt(trade.quantity));
      }
    }
    const orders = await db.selectFrom('orders').selectAll().execute();
    expect(orders).toHaveLength(TRADERS * ORDERS_EACH);
    for (const order of orders) {
      // No double fill: what the trades gave an order is what it records, and never more than it asked for.
      expect(filled.get(Number(order.id)) ?? 0n).toBe(BigInt(order.executed_quantity));
      expect(BigInt(order.executed_quantity) <= BigInt(order.quantity!)).toBe(true);
    }
    const audit = await auditLedger(db, config);
    expect(audit.problems).toEqual([]);
    expect(audit.ok).toBe(true);
  }, 120_000);
});
