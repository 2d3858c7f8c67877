/**
 * `signet reset` as an operator runs it (a real process on the database), on SQLite and PostgreSQL: with the server
 * stopped and with it running (books rebuilt, a depth stream client told to resync, kept keys still signing,
 * removed ones refused), and the SIGNET_RESET_EVERY schedule with its announcement in `/api/v1/status`.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { afterEach, describe, expect, it } from 'vitest';

import { createUser, listAuditEvents } from '../src/accounts/index.ts';
import { createExchange, readMarketConfigFile } from '../src/exchange/index.ts';
import { createApiKey } from '../src/keys/index.ts';
import { resetEveryFromEnv, startResetSchedule } from '../src/liquidity/index.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore, type Store } from '../src/store/create-database.ts';
import { DIALECTS, type TestDatabase } from './helpers/dialects.ts';
import { SIGNET_BIN } from './helpers/signed-fetch.ts';
import { RawStreamClient, startStreamTestServer, type StreamTestServer } from './helpers/stream-context.ts';

const run = promisify(execFile);
const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);

async function signet(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SIGNET_BIN, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function rows(db: Store, table: 'orders' | 'trades' | 'balances' | 'deposits' | 'users' | 'api_keys') {
  return Number(
    (
      await db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst()
    )?.n,
  );
}

describe.each(DIALECTS)('signet reset on %s', (_name, create) => {
  let database: TestDatabase | undefined;
  let ctx: StreamTestServer | undefined;
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
    await database?.drop();
    database = undefined;
  });

  it('empties the exchange with the server stopped, keeping users and keys when asked, audit-logged', async () => {
    database = await create();
    const db = await openStore(database.url);
    try {
      const exchange = await createExchange({ db, config });
      const alice = await createUser(db, { email: 'alice@example.com', password: 'reset password' });
      const bob = await createUser(db, { email: 'bob@example.com', password: 'reset password' });
      await createApiKey(db, { userId: alice.id, name: 'bot' });
      await exchange.depositTestFunds({ userId: alice.id, symbol: 'USDC', quantity: '1000' });
      await exchange.depositTestFunds({ userId: bob.id, symbol: 'SOL', quantity: '10' });
      const [aliceSub, bobSub] = await Promise.all(
        [alice, bob].map(
          async (u) =>
            (
              await db
                .selectFrom('subaccounts')
                .select('id')
                .where('user_id', '=', u.id)
                .executeTakeFirstOrThrow()
            ).id,
        ),
      );
      await exchange.placeOrder(bobSub as string, {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: '150',
        quantity: '2',
      });
      await exchange.placeOrder(aliceSub as string, {
        symbol: 'SOL_USDC',
        side: 'Bid',
        orderType: 'Limit',
        price: '150',
        quantity: '1',
      });
      await exchange.placeOrder(aliceSub as string, {
        symbol: 'SOL_USDC',
        side: 'Bid',
        orderType: 'Limit',
        price: '140',
        quantity: '1',
      });
      const sequence = (await exchange.getDepth('SOL_USDC', 5)).sequence;
      expect(await rows(db, 'trades')).toBe(1);

      const refused = await signet(['reset', '--database', database.url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/--yes/);
      expect(await rows(db, 'orders')).toBe(3);

      const kept = await signet(['reset', '--keep-keys', '--yes', '--json', '--database', database.url]);
      expect(kept.code).toBe(0);
      expect(JSON.parse(kept.stdout)).toMatchObject({
        ok: true,
        orders: 3,
        trades: 1,
        deposits: 2,
        keepUsers: true,
        keepKeys: true,
      });
      for (const table of ['orders', 'trades', 'balances', 'deposits'] as const)
        expect(await rows(db, table)).toBe(0);
      expect(await rows(db, 'users')).toBe(2);
      expect(await rows(db, 'api_keys')).toBe(1);
      expect((await listAuditEvents(db, alice.id)).map((e) => e.type)).toContain('exchange.reset');
      const fresh = await createExchange({ db, config });
      const depth = await fresh.getDepth('SOL_USDC', 5);
      expect(depth).toMatchObject({ bids: [], asks: [] });
      expect(depth.sequence).toBeGreaterThan(sequence + 1); // a fresh sequence: clients resync as after a gap
      expect((await fresh.audit()).ok).toBe(true);
      // The exchange works on: ids keep counting up.
      const deposit = await fresh.depositTestFunds({ userId: alice.id, symbol: 'USDC', quantity: '5' });
      expect(deposit.id).toBeGreaterThan(2);

      const all = await signet(['reset', '--yes', '--database', database.url]);
      expect(all.code).toBe(0);
      expect(all.stdout).toMatch(/2 users and 1 API keys removed/);
      for (const table of ['users', 'api_keys', 'deposits', 'balances'] as const)
        expect(await rows(db, table)).toBe(0);
      expect((await signet(['audit', '--database', database.url])).stdout).toMatch(/Ledger audit passed/);
    } finally {
      await db.destroy();
    }
  }, 120_000);

  it('resets under a running server: books rebuilt, depth resyncs, kept keys sign, removed keys are refused', async () => {
    database = await create();
    ctx = await startStreamTestServer(database.name, {}, database);
    const maker = await ctx.trader({ funds: { SOL: '100', USDC: '10000' } });
    const client = await RawStreamClient.open(ctx.wsUrl);
    try {
      client.send({ method: 'SUBSCRIBE', params: ['depth.SOL_USDC'] });
      const placed = await ctx.rest(maker, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: '150',
        quantity: '2',
      });
      expect(placed.status).toBe(200);
      const before = await client.next((f) => f.stream === 'depth.SOL_USDC', 10_000);

      expect((await signet(['reset', '--keep-keys', '--yes', '--database', database.url])).code).toBe(0);
      const depth = await (await fetch(`${ctx.server.url}/api/v1/depth?symbol=SOL_USDC`)).json();
      expect(depth).toMatchObject({ asks: [], bids: [] });
      // The kept key still signs; its balances are gone, so it must be funded again.
      expect((await ctx.rest(maker, 'GET', '/api/v1/capital')).body).toEqual({});
      await ctx.server.exchange.depositTestFunds({
        userId: maker.userId,
        subaccountId: maker.subaccountId,
        symbol: 'SOL',
        quantity: '5',
      });
      const again = await ctx.rest(maker, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: '151',
        quantity: '1',
      });
      expect(again.status).toBe(200);
      // The depth stream restarts its sequence: U is not the previous u + 1, so a client resyncs from REST.
      const after = await client.next((f) => f.stream === 'depth.SOL_USDC', 10_000);
      expect(after.data.U).not.toBe(before.data.u + 1);
      expect(after.data.U).toBeGreaterThan(before.data.u);
      const snapshot = await (await fetch(`${ctx.server.url}/api/v1/depth?symbol=SOL_USDC`)).json();
      expect(snapshot).toMatchObject({ asks: [['151', '1']], bids: [] });
      expect(Number(snapshot.lastUpdateId)).toBe(after.data.u);

      expect((await signet(['reset', '--yes', '--database', database.url])).code).toBe(0);
      let status = 0;
      for (let i = 0; i < 50 && status !== 401; i++) {
        status = (await ctx.rest(maker, 'GET', '/api/v1/capital')).status;
        if (status !== 401) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status).toBe(401);
    } finally {
      client.close();
    }
  }, 120_000);

  it('resets on the SIGNET_RESET_EVERY schedule and announces it in /api/v1/status', async () => {
    database = await create();
    ctx = await startStreamTestServer(
      database.name,
      { resetEvery: { every: '30d', everyMs: 30 * 86_400_000 } },
      database,
    );
    const maker = await ctx.trader({ funds: { SOL: '100' } });
    let status: { message: string; reset?: { every: string; nextAt: number | null } } = { message: '' };
    for (let i = 0; i < 50 && !status.reset?.nextAt; i++) {
      status = await (await fetch(`${ctx.server.url}/api/v1/status`)).json();
      if (!status.reset?.nextAt) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status.reset?.every).toBe('30d');
    expect(status.reset?.nextAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(status.message).toMatch(/reset every 30d; next at 20\d\d-/);
    expect(await rows(ctx.server.db, 'balances')).toBeGreaterThan(0); // the anchor cleared nothing

    // A short schedule beside it: the next check past the interval resets (users and keys kept).
    const schedule = startResetSchedule({
      db: ctx.server.db,
      config,
      every: '1s',
      everyMs: 1000,
      checkMs: 200,
      leaseName: 'second-schedule',
      log: { info: () => {}, warn: () => {} },
    });
    try {
      await ctx.rest(maker, 'POST', '/api/v1/order', {
        symbol: 'SOL_USDC',
        side: 'Ask',
        orderType: 'Limit',
        price: '150',
        quantity: '2',
      });
      let left = 1;
      for (let i = 0; i < 100 && left > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        left = await rows(ctx.server.db, 'orders');
      }
      expect(left).toBe(0);
      expect(await rows(ctx.server.db, 'users')).toBe(1);
      expect((await ctx.rest(maker, 'GET', '/api/v1/capital')).status).toBe(200);
    } finally {
      await schedule.close();
    }
  }, 60_000);
});

describe('SIGNET_RESET_EVERY', () => {
  it('reads 30d, 12h, 90m and refuses the rest', () => {
    expect(resetEveryFromEnv({})).toBeUndefined();
    expect(resetEveryFromEnv({ SIGNET_RESET_EVERY: '30d' })).toEqual({
      every: '30d',
      everyMs: 30 * 86_400_000,
    });
    expect(resetEveryFromEnv({ SIGNET_RESET_EVERY: '90m' })?.everyMs).toBe(5_400_000);
    for (const bad of ['30', '10s', '0d', 'soon', '400d']) {
      expect(() => resetEveryFromEnv({ SIGNET_RESET_EVERY: bad })).toThrow('SIGNET_RESET_EVERY');
    }
  });
});
