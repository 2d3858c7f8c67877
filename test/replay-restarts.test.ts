/**
 * Replays across restarts and Redis outages (issue 21 point 2, issue 17 point 4), against real `signet serve`
 * processes and a private redis-server:
 *   - without Redis, the replay store lived only in memory, so the same signed order sent again after a restart
 *     executed a second time;
 *   - with Redis, a request accepted while Redis was up was accepted once more while Redis was down, or after it
 *     came back empty.
 * Across nodes the bound is stated in SECURITY.md ("Redis down") and tested last, with two guards sharing a Redis.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { ReplayGuard } from '../src/keys/replay-guard.ts';
import { parseSignedRequest } from '../src/protocol/signed-request.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { RedisLink } from '../src/store/redis-link.ts';
import { startPrivateRedis, waitUntilUp, type PrivateRedis } from './helpers/redis-server.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';
import { freePort, startSignetProcess, type SignetProcess } from './helpers/signet-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'signet-replay-restarts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Trader {
  databaseUrl: string;
  /** One signed order, prepared once: `send(url)` sends the very same bytes each time. */
  prepareOrder: () => Promise<(url: string) => Promise<{ status: number; body: string }>>;
}

/** A database with one funded key that can trade. */
async function trader(name: string): Promise<Trader> {
  const databaseUrl = join(dir, `${name}.db`);
  const db = await openStore(databaseUrl);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, { email: `${name}@example.com`, password: 'long enough' });
  const sub = await createSubaccount(db, { userId: user.id, name });
  await depositTestFunds(db, config, {
    userId: user.id,
    subaccountId: sub.id,
    symbol: 'USDC',
    quantity: '1000',
  });
  const { secret } = await createApiKey(db, { userId: user.id, name, subaccountId: sub.id });
  await db.destroy();
  const signer = await createSigner(secret as string);
  let clientId = 0;
  return {
    databaseUrl,
    prepareOrder: async () => {
      const prepared = await createSignedRequest(
        {
          method: 'POST',
          path: '/api/v1/order',
          body: {
            symbol: 'SOL_USDC',
            side: 'Bid',
            orderType: 'Limit',
            price: '1',
            quantity: '1',
            clientId: ++clientId,
          },
          window: 60_000,
        },
        signer,
      );
      return async (url) => {
        const res = await fetch(url + prepared.pathWithQuery, {
          method: prepared.method,
          headers: prepared.headers,
          body: prepared.body,
        });
        return { status: res.status, body: await res.text() };
      };
    },
  };
}

async function killed(server: SignetProcess): Promise<void> {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
}

describe('replay after a restart, without Redis (regression)', () => {
  it('refuses an order accepted before a SIGKILL when it is sent again after the restart', async () => {
    const t = await trader('sigkill');
    const port = await freePort();
    const first = await startSignetProcess({ databaseUrl: t.databaseUrl, port });
    const send = await t.prepareOrder();
    expect((await send(first.url)).status).toBe(200);
    await killed(first);

    const second = await startSignetProcess({ databaseUrl: t.databaseUrl, port });
    try {
      const replay = await send(second.url);
      expect(replay.status).toBe(401);
      expect(JSON.parse(replay.body)).toMatchObject({ code: 'UNAUTHORIZED' });
      // What a client does: sign it again (a new timestamp), accepted.
      expect((await (await t.prepareOrder())(second.url)).status).toBe(200);
    } finally {
      await second.stop();
    }
  }, 150_000);

  it('with workers (the cluster primary holds the store): refused after the node restarts', async () => {
    const t = await trader('workers');
    const port = await freePort();
    const first = await startSignetProcess({ databaseUrl: t.databaseUrl, port, workers: 2 });
    const send = await t.prepareOrder();
    expect((await send(first.url)).status).toBe(200);
    await first.stop();

    const second = await startSignetProcess({ databaseUrl: t.databaseUrl, port, workers: 2 });
    try {
      for (let i = 0; i < 4; i++) expect((await send(second.url)).status).toBe(401);
      expect((await (await t.prepareOrder())(second.url)).status).toBe(200);
    } finally {
      await second.stop();
    }
  }, 150_000);
});

describe.skipIf(!REDIS_SERVER.available)('replay across a Redis outage (regression)', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(() => redis?.stop());

  /** Polls until the node answers /readyz with `status` (Redis checked there). */
  async function readyz(url: string, status: number): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await fetch(`${url}/readyz`)).status === status) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`/readyz never answered ${status}`);
  }

  for (const workers of [1, 2]) {
    it(`one node (${workers} worker${workers > 1 ? 's' : ''}): the same signature is refused before, during and after Redis restarts empty`, async () => {
      const t = await trader(`redis-${workers}`);
      const node = await startSignetProcess({
        databaseUrl: t.databaseUrl,
        workers,
        env: { REDIS_URL: redis.url },
      });
      try {
        await readyz(node.url, 200);
        const send = await t.prepareOrder();
        expect((await send(node.url)).status).toBe(200);
        // Before: refused through Redis.
        for (let i = 0; i < 4; i++) expect((await send(node.url)).status).toBe(401);

        await redis.stop();
        await readyz(node.url, 503);
        // During: refused by the node's own store (or its primary's).
        for (let i = 0; i < 4; i++) expect((await send(node.url)).status).toBe(401);

        await redis.start();
        await readyz(node.url, 200);
        // After: Redis is empty, the node still refuses it.
        for (let i = 0; i < 4; i++) expect((await send(node.url)).status).toBe(401);
        // And Redis took the node's new claims again.
        expect((await (await t.prepareOrder())(node.url)).status).toBe(200);
      } finally {
        await node.stop();
      }
    }, 150_000);
  }

  it('across two nodes: while Redis is down a request accepted on one may be accepted once more on each other, never again', async () => {
    const links = [0, 1].map(() => new RedisLink(redis.url, { warn: () => {}, info: () => {} }));
    try {
      await Promise.all(links.map((link) => waitUntilUp(link)));
      const [a, b] = links.map((link) => new ReplayGuard({ redis: link })) as [ReplayGuard, ReplayGuard];
      const now = Date.now();
      const parsed = parseSignedRequest({
        method: 'POST',
        path: '/api/v1/order',
        query: '',
        body: {},
        headers: {
          'x-api-key': '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
          'x-signature': `${crypto.randomUUID().replace(/-/g, '').padEnd(85, 'C')}A==`,
          'x-timestamp': String(now),
        },
      });
      if (!parsed.ok) throw new Error(parsed.message);
      const request = parsed.request;
      expect((await a.claim(request, now, 'sub')).ok).toBe(true);
      expect((await b.claim(request, now, 'sub')).ok).toBe(false);

      await redis.stop();
      await new Promise((r) => setTimeout(r, 200));
      expect((await a.claim(request, now, 'sub')).ok).toBe(false);
      // The bound: the other node never saw it, so it accepts it once, and only once.
      expect((await b.claim(request, now, 'sub')).ok).toBe(true);
      expect((await b.claim(request, now, 'sub')).ok).toBe(false);

      await redis.start();
      await Promise.all(links.map((link) => waitUntilUp(link)));
      expect((await a.claim(request, now, 'sub')).ok).toBe(false);
      expect((await b.claim(request, now, 'sub')).ok).toBe(false);
    } finally {
      await Promise.all(links.map((link) => link.close()));
    }
  });
});
