/**
 * The key cache against real databases and real processes: a revocation made by another process (the `signet`
 * CLI) reaches a server that caches key records, on SQLite (epoch check per request) and on PostgreSQL
 * (LISTEN/NOTIFY); a killed LISTEN connection and a notification lost on the way do not keep a revoked key usable
 * beyond the safety bound.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createUser, type User } from '../src/accounts/accounts-service.ts';
import type { PostgresKeyCache } from '../src/keys/key-cache.ts';
import type { KeyForDecision } from '../src/keys/decide-request.ts';
import { createApiKey, revokeApiKey } from '../src/keys/keys-service.ts';
import { RATE_LIMITS_OFF } from '../src/server/rate-limit-config.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { DIALECTS, type TestDatabase } from './helpers/dialects.ts';
import { capitalClient, hammer, signetCli, type CapitalClient, type Sample } from './helpers/signed-fetch.ts';

/** PostgreSQL's safety bound: the epoch poll (250 ms) plus margin for a loaded machine. */
const PG_BOUND_MS = 1000;

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Milliseconds from `since` to the start of the last request that still succeeded (negative: none after). */
function staleness(samples: Sample[], since: number): number {
  const late = samples.filter((s) => s.status === 200 && s.startedAt > since);
  return late.length === 0 ? -1 : Math.max(...late.map((s) => s.startedAt)) - since;
}

describe.each(DIALECTS)('key cache on %s', (dialect, create) => {
  let database: TestDatabase;
  let server: RunningServer;
  let user: User;
  let keyNumber = 0;

  const newKey = async (): Promise<CapitalClient> => {
    keyNumber += 1;
    const { secret } = await createApiKey(server.db, { userId: user.id, name: `k${keyNumber}` });
    return capitalClient(secret!);
  };

  beforeAll(async () => {
    database = await create();
    // Rate limits off: the client hammers on purpose, and refused requests would count as failures.
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: database.url,
      rateLimits: RATE_LIMITS_OFF,
    });
    user = await createUser(server.db, { email: 'cache@example.com', password: 'long enough password' });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    await database?.drop();
  });

  it('serves repeat requests from memory, and a last-use write invalidates nothing', async () => {
    const client = await newKey();
    expect(await client.capital(server.url)).toBe(200);
    await server.verifier.lastUse.flush();
    const before = { ...server.verifier.keys.counters };
    for (let i = 0; i < 5; i++) expect(await client.capital(server.url)).toBe(200);
    const after = server.verifier.keys.counters;
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(4);
    expect(after.invalidations).toBe(before.invalidations);
  });

  it('refuses a key revoked by the CLI while a client hammers it', async () => {
    const client = await newKey();
    const load = hammer(() => client.capital(server.url));
    await until(() => load.samples.filter((s) => s.status === 200).length >= 20);
    const hitsBefore = server.verifier.keys.counters.hits;
    await signetCli(['keys', 'revoke', client.apiKey, '--database', database.url]);
    const revoked = performance.now();
    await new Promise((r) => setTimeout(r, dialect === 'sqlite' ? 300 : PG_BOUND_MS + 300));
    const samples = await load.stop();

    expect(server.verifier.keys.counters.hits).toBeGreaterThan(hitsBefore - 1);
    expect(samples.filter((s) => s.startedAt > revoked).length).toBeGreaterThan(5);
    expect(samples.every((s) => s.status === 200 || s.status === 401)).toBe(true);
    // SQLite: the epoch is checked on every request, so nothing started after the CLI returned may pass.
    // PostgreSQL: the notification evicts the key; the bound is the safety net's.
    const bound = dialect === 'sqlite' ? 0 : PG_BOUND_MS;
    expect(staleness(samples, revoked)).toBeLessThanOrEqual(bound);
    expect(samples.filter((s) => s.startedAt > revoked + bound).every((s) => s.status === 401)).toBe(true);
  }, 30_000);

  // PostgreSQL only (LISTEN/NOTIFY): registered only there, so a run with both dialects skips nothing.
  if (dialect === 'postgres')
    it('does not keep a revoked key usable after its LISTEN connection is killed, and listens again', async () => {
      const cache = server.verifier.keys as PostgresKeyCache<KeyForDecision>;
      const client = await newKey();
      for (let i = 0; i < 3; i++) expect(await client.capital(server.url)).toBe(200);
      const pid = cache.listenerPid();
      expect(pid).toBeTypeOf('number');

      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        const load = hammer(() => client.capital(server.url));
        await until(() => load.samples.length >= 10);
        const killed = await admin.query('select pg_terminate_backend($1) as ok', [pid]);
        expect(killed.rows[0].ok).toBe(true);
        await revokeApiKey(server.db, { key: client.apiKey });
        const revoked = performance.now();
        await new Promise((r) => setTimeout(r, PG_BOUND_MS + 300));
        const samples = await load.stop();
        expect(staleness(samples, revoked)).toBeLessThanOrEqual(PG_BOUND_MS);
        expect(
          samples.filter((s) => s.startedAt > revoked + PG_BOUND_MS).every((s) => s.status === 401),
        ).toBe(true);

        // It reconnects with a new backend, and notifications work again.
        await until(() => cache.listenerPid() !== undefined && cache.listenerPid() !== pid);
        const next = await newKey();
        for (let i = 0; i < 3; i++) expect(await next.capital(server.url)).toBe(200);
        const hits = cache.counters.hits;
        expect(await next.capital(server.url)).toBe(200);
        expect(cache.counters.hits).toBe(hits + 1);
        await revokeApiKey(server.db, { key: next.apiKey });
        await until(async () => (await next.capital(server.url)) === 401, PG_BOUND_MS);
      } finally {
        await admin.end();
      }
    }, 30_000);

  // PostgreSQL only (LISTEN/NOTIFY): registered only there, so a run with both dialects skips nothing.
  if (dialect === 'postgres')
    it('flushes on the epoch poll when a change arrives without its notification', async () => {
      const client = await newKey();
      for (let i = 0; i < 3; i++) expect(await client.capital(server.url)).toBe(200);
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        // Triggers off for this session: the row changes, no NOTIFY is sent; then the epoch moves by hand.
        await admin.query(`set session_replication_role = replica`);
        await admin.query('update api_keys set revoked_at = $1 where api_key = $2', [
          Date.now(),
          client.apiKey,
        ]);
        await admin.query('update key_epoch set epoch = epoch + 1 where id = 1');
        const changed = Date.now();
        await until(async () => (await client.capital(server.url)) === 401, PG_BOUND_MS);
        expect(Date.now() - changed).toBeLessThan(PG_BOUND_MS);
      } finally {
        await admin.end();
      }
    }, 30_000);
});
