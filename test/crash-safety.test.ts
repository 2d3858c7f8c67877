/**
 * Crash safety: a stream of orders, cancels and withdrawals against a real `signet serve` process, killed with
 * SIGKILL at random moments (6 times) and restarted on the same database: a SQLite file, and a PostgreSQL schema
 * (where a group commit writes everything in one statement, postgres-group-write.ts). Afterwards every acknowledged
 * operation is in the database, and nothing unacknowledged is half-applied: `signet audit` (balances equal their
 * ledger entries, locks equal resting orders, conservation per asset) passes.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { DIALECTS, type TestDatabase } from './helpers/dialects.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'signet.js');
let created: TestDatabase | undefined;
afterEach(async () => {
  await created?.drop();
  created = undefined;
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startServe(port: number, database: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', String(port), '--database', database, '--workers', '1'],
    {
      // Withdrawals to any valid address: this test is about crashes, not the address book.
      env: {
        ...process.env,
        LOG_LEVEL: 'error',
        SIGNET_RATE_LIMITS: 'off',
        SIGNET_WITHDRAWAL_ADDRESSES: 'any',
      },
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/ping`)).ok) return child;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('server did not start');
}

interface Trader {
  apiKey: string;
  sign: (message: string) => Promise<string>;
}

describe.each(DIALECTS)('crash safety on %s', (_name, create) => {
  it('keeps every acknowledged order, cancel and withdrawal, and half-applies nothing, across 6 SIGKILLs', async () => {
    created = await create();
    const database = created.url;
    const db = await openStore(database);
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const user = await createUser(db, { email: 'crash@example.com', password: 'long enough' });
    const traders: Trader[] = [];
    for (const [name, symbol, quantity] of [
      ['buyer', 'USDC', '10000000'],
      ['seller', 'SOL', '100000'],
    ] as const) {
      const sub = await createSubaccount(db, { userId: user.id, name });
      await depositTestFunds(db, config, { userId: user.id, subaccountId: sub.id, symbol, quantity });
      await depositTestFunds(db, config, {
        userId: user.id,
        subaccountId: sub.id,
        symbol: 'USDC',
        quantity: '100000',
      });
      const { key, secret } = await createApiKey(db, { userId: user.id, name, subaccountId: sub.id });
      traders.push({ apiKey: key.apiKey, sign: (await createSigner(secret as string)).sign });
    }
    await db.destroy();

    const acked = { orders: new Set<string>(), cancels: new Set<string>(), withdrawals: new Set<number>() };
    const resting: { trader: Trader; id: string }[] = [];
    let clientId = 0;
    let sent = 0;

    const send = async (port: number, trader: Trader, spec: SignedRequestSpec) => {
      const prepared = await createSignedRequest(spec, { apiKey: trader.apiKey, sign: trader.sign });
      sent++;
      const res = await fetch(`http://127.0.0.1:${port}${prepared.pathWithQuery}`, {
        method: prepared.method,
        headers: prepared.headers,
        body: prepared.body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };

    const worker = async (port: number, stop: { now: boolean }) => {
      while (!stop.now) {
        const trader = traders[Math.floor(Math.random() * 2)] as Trader;
        const roll = Math.random();
        try {
          if (roll < 0.6) {
            const side = trader === traders[0] ? 'Bid' : 'Ask';
            const price =
              side === 'Bid'
                ? String(95 + Math.floor(Math.random() * 10))
                : String(96 + Math.floor(Math.random() * 10));
            const res = await send(port, trader, {
              method: 'POST',
              path: '/api/v1/order',
              body: {
                symbol: 'SOL_USDC',
                side,
                orderType: 'Limit',
                price,
                quantity: '0.1',
                clientId: ++clientId,
              },
            });
            if (res.status === 200) {
              acked.orders.add(String(res.body.id));
              if (res.body.status === 'New') resting.push({ trader, id: String(res.body.id) });
            }
          } else if (roll < 0.85 && resting.length > 0) {
            const { trader: owner, id } = resting.splice(Math.floor(Math.random() * resting.length), 1)[0]!;
            const res = await send(port, owner, {
              method: 'DELETE',
              path: '/api/v1/order',
              body: { symbol: 'SOL_USDC', orderId: id },
            });
            if (res.status === 200) acked.cancels.add(id);
          } else {
            const res = await send(port, trader, {
              method: 'POST',
              path: '/wapi/v1/capital/withdrawals',
              body: {
                symbol: 'USDC',
                blockchain: 'Ethereum',
                quantity: '20',
                address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
              },
            });
            if (res.status === 200) acked.withdrawals.add(Number(res.body.id));
          }
        } catch {
          // The server died under this request: it is unacknowledged, whatever happened to it.
        }
      }
    };

    for (let round = 0; round < 6; round++) {
      const port = await freePort();
      const server = await startServe(port, database);
      const stop = { now: false };
      const workers = Array.from({ length: 6 }, () => worker(port, stop));
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
      server.kill('SIGKILL');
      await new Promise((r) => server.once('exit', r));
      stop.now = true;
      await Promise.all(workers);
    }

    expect(acked.orders.size).toBeGreaterThan(20);
    expect(sent).toBeGreaterThan(acked.orders.size);
    const check = await openStore(database);
    try {
      const orders = await check.selectFrom('orders').select(['id', 'is_open']).execute();
      const byId = new Map(orders.map((o) => [String(o.id), Number(o.is_open)]));
      for (const id of acked.orders) expect(byId.has(id), `acknowledged order ${id}`).toBe(true);
      for (const id of acked.cancels) expect(byId.get(id), `acknowledged cancel of ${id}`).toBe(0);
      const withdrawals = new Set(
        (await check.selectFrom('withdrawals').select('id').execute()).map((w) => Number(w.id)),
      );
      for (const id of acked.withdrawals)
        expect(withdrawals.has(id), `acknowledged withdrawal ${id}`).toBe(true);
    } finally {
      await check.destroy();
    }
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'audit',
      '--json',
      '--database',
      database,
    ]);
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, problems: [] });
  }, 180_000);
});
