/**
 * A lost PostgreSQL connection is an incident, not a crash (issue 17.1). Two Signet nodes share one PostgreSQL
 * schema, each through its own TCP relay, under a load of crossing orders. Several times, every connection of
 * both nodes is ended with `pg_terminate_backend` while the relays refuse new ones for a moment (a restart or a
 * failover as a node sees it). Before the pool had an 'error' handler, the first termination ended both processes.
 *
 * Now: both nodes stay up; `/readyz` answers 503 during each outage and 200 after it; requests meanwhile are
 * answered 503 MAINTENANCE with Retry-After, never 500; the outage is logged once per episode, not per request;
 * a key revoked (by another client of the database) during an outage is refused by both nodes right after it;
 * and afterwards every acknowledged order is in the database and `signet audit` passes.
 */
import { afterEach, describe, expect, it } from 'vitest';

import { revokeApiKey } from '../../src/keys/keys-service.ts';
import { openStore } from '../../src/store/create-database.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { PG_TEST_URL } from '../helpers/requirements.ts';
import { startSignetProcess, type SignetProcess } from '../helpers/signet-process.ts';
import pg from 'pg';
import { audit, LoadRecord, missingOrders, orderLoad, seedFaultAccount, sendSigned } from './fault-load.ts';
import { TcpProxy } from './tcp-proxy.ts';

const EPISODES = Number(process.env.SIGNET_FAULT_EPISODES ?? 3);
const OUTAGE_MS = 1500;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

/** `url` with its host and port replaced by the relay's. */
function through(url: string, proxy: TcpProxy): string {
  const relayed = new URL(url);
  relayed.hostname = '127.0.0.1';
  relayed.port = String(proxy.port);
  return relayed.toString();
}

async function readyStatus(node: SignetProcess): Promise<number> {
  try {
    const res = await fetch(`${node.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

async function waitReady(node: SignetProcess, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while ((await readyStatus(node)) !== 200) {
    if (Date.now() > deadline) throw new Error(`${node.url} not ready again within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Ends every server backend that reached PostgreSQL through `proxies`; resolves with how many. */
async function terminateBackends(admin: pg.Client, proxies: TcpProxy[]): Promise<number> {
  const ports = proxies.flatMap((proxy) => proxy.upstreamPorts());
  const { rows } = await admin.query<{ ended: boolean }>(
    `select pg_terminate_backend(pid) as ended from pg_stat_activity
      where client_port = any($1::int[]) and pid <> pg_backend_pid()`,
    [ports],
  );
  return rows.filter((row) => row.ended).length;
}

describe('PostgreSQL connections lost under load, two nodes', () => {
  it('keeps both nodes up, answers 503 meanwhile, loses nothing acknowledged, refuses a key revoked meanwhile', async () => {
    const database: TestDatabase = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const account = await seedFaultAccount(database.url, { spares: EPISODES });
    const target = new URL(PG_TEST_URL);
    const proxies = await Promise.all(
      [0, 1].map(() => TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) })),
    );
    cleanups.push(() => Promise.all(proxies.map((proxy) => proxy.close())));
    const starts = await Promise.allSettled(
      proxies.map((proxy) => startSignetProcess({ databaseUrl: through(database.url, proxy), workers: 1 })),
    );
    for (const start of starts) if (start.status === 'fulfilled') cleanups.push(() => start.value.stop());
    const nodes: SignetProcess[] = starts.map((start) => {
      if (start.status === 'rejected') throw start.reason;
      return start.value;
    });
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    cleanups.push(() => admin.end());
    const store = await openStore(database.url);
    cleanups.push(() => store.destroy());
    const userId = (
      await store
        .selectFrom('users')
        .select('id')
        .where('email', '=', account.email)
        .executeTakeFirstOrThrow()
    ).id;

    const record = new LoadRecord();
    const stop = { now: false };
    const load = Array.from({ length: 4 }, () =>
      orderLoad(
        nodes.map((node) => node.url),
        account.traders,
        record,
        stop,
      ),
    );
    const readySeen = nodes.map(() => new Set<number>());
    const watchReady = nodes.map(async (node, i) => {
      while (!stop.now) {
        readySeen[i]!.add(await readyStatus(node));
        await new Promise((r) => setTimeout(r, 50));
      }
    });

    try {
      await new Promise((r) => setTimeout(r, 500));
      for (let episode = 0; episode < EPISODES; episode++) {
        const key = account.spares[episode]!;
        // The key is in both nodes' caches before the outage.
        for (const node of nodes) {
          for (let i = 0; i < 3; i++) {
            expect((await sendSigned(node.url, key, { method: 'GET', path: '/api/v1/capital' })).status).toBe(
              200,
            );
          }
        }
        for (const proxy of proxies) proxy.refuse(true);
        const ended = await terminateBackends(admin, proxies);
        expect(ended, 'backends ended').toBeGreaterThan(2);
        // While the nodes cannot reach the database, another of its clients revokes the key.
        await revokeApiKey(store, { key: key.keyId, userId });
        await new Promise((r) => setTimeout(r, OUTAGE_MS));
        const during = await sendSigned(nodes[episode % 2]!.url, account.traders[0]!, {
          method: 'GET',
          path: '/api/v1/capital',
        });
        expect(during.status, nodes[episode % 2]!.output().slice(-4000)).toBe(503);
        expect(during.body.code).toBe('MAINTENANCE');
        expect(Number(during.headers.get('retry-after'))).toBeGreaterThan(0);
        for (const proxy of proxies) proxy.refuse(false);
        for (const node of nodes) {
          await waitReady(node, 15_000);
          const after = await sendSigned(node.url, key, { method: 'GET', path: '/api/v1/capital' });
          expect(after.status, `key revoked during outage ${episode}, on ${node.url}`).toBe(401);
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    } finally {
      stop.now = true;
      await Promise.all([...load, ...watchReady]);
    }

    for (const [i, node] of nodes.entries()) {
      expect(node.child.exitCode, `node ${i} exited: ${node.output()}`).toBe(null);
      expect([...readySeen[i]!], `readiness answers of node ${i}`).toContain(503);
      expect(await readyStatus(node)).toBe(200);
      const episodesLogged = node.output().match(/database unavailable: answering 503/g)?.length ?? 0;
      expect(episodesLogged, `outages logged by node ${i}`).toBeGreaterThan(0);
      const outageLines = node
        .output()
        .split('\n')
        .filter((line) => /database unavailable|database available again/.test(line))
        .map((line) => line.slice(0, 400));
      expect(episodesLogged, `outages logged by node ${i}:\n${outageLines.join('\n')}`).toBeLessThanOrEqual(
        EPISODES,
      );
    }
    expect(record.serverErrors.filter((e) => !/ 503 .*MAINTENANCE/.test(e))).toEqual([]);
    expect(
      record.countOf((s) => s === 0 || s === 500),
      'no answer or 500',
    ).toBe(0);
    expect(record.countOf((s) => s === 503)).toBeGreaterThan(0);
    expect(record.ackedOrders.size).toBeGreaterThan(20);
    // Stop the nodes first: nothing is in flight when the database is checked.
    for (const node of nodes) await node.stop();
    expect(await missingOrders(database.url, record.ackedOrders)).toEqual([]);
    expect(await audit(database.url)).toMatchObject({ ok: true, problems: [] });
  }, 120_000);
});
