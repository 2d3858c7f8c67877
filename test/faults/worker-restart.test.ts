/**
 * The cluster keeps itself up (issue 17, point 2): a start-up error is handled where it happens (a key listener
 * failing while the server starts threw a ReferenceError that killed the worker); the primary stops only when the
 * first start of a worker fails; a replacement that keeps failing is retried with back-off and said so, `/readyz`
 * answers 503 meanwhile, and the node serves again once a replacement starts.
 */
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

import { DEFAULT_MARKETS_FILE, startServer } from '../../src/server/start-server.ts';
import { PG_TEST_URL, POSTGRES, skipWithout } from '../helpers/requirements.ts';
import { startSignetProcess, type SignetProcess } from '../helpers/signet-process.ts';
import { childPids, killProcessTree, sleep } from './process-load.ts';

let server: SignetProcess | undefined;
let dir: string | undefined;

afterEach(async () => {
  if (server) await killProcessTree(server.child);
  server = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

async function probe(url: string): Promise<{ status: number; body: string } | string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return (error as { cause?: { code?: string } }).cause?.code ?? String(error);
  }
}

async function until<T>(what: () => Promise<T>, ok: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  let value = await what();
  while (!ok(value) && Date.now() < deadline) {
    await sleep(100);
    value = await what();
  }
  return value;
}

describe('signet serve --workers 2 keeps itself up', () => {
  it('stops when the first start of a worker fails', async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-restart-'));
    const child = startSignetProcess({
      databaseUrl: join(dir, 'restart.db'),
      workers: 2,
      env: { LOG_LEVEL: 'warn', SIGNET_MARKETS_FILE: join(dir, 'missing.json') },
    });
    await expect(child).rejects.toThrow(/exited with 1[\s\S]*a worker failed to start; stopping/);
  }, 60_000);

  it('replaces later failures with back-off, answers /readyz 503 meanwhile, and serves again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-restart-'));
    const markets = join(dir, 'markets.json');
    copyFileSync(DEFAULT_MARKETS_FILE, markets);
    server = await startSignetProcess({
      databaseUrl: join(dir, 'restart.db'),
      workers: 2,
      env: { LOG_LEVEL: 'warn', SIGNET_MARKETS_FILE: markets },
    });
    const primary = server.child.pid!;
    const url = server.url;

    // From now on a worker cannot start (its markets file is gone); kill one and let replacements fail.
    renameSync(markets, `${markets}.away`);
    const [first, second] = await childPids(primary);
    process.kill(first!, 'SIGKILL');
    await until(
      async () => server!.output().match(/a replacement worker failed to start/g)?.length ?? 0,
      (n) => n >= 2,
      30_000,
    );
    expect(server.child.exitCode).toBeNull();
    expect(server.output()).toMatch(
      /a replacement worker failed to start \(exit code 1\); trying again in \d+ ms/,
    );
    // The surviving worker serves, and says the node is not ready: its replacements keep failing.
    const degraded = await until(
      () => probe(`${url}/readyz`),
      (r) => typeof r === 'object' && r.status === 503,
      5000,
    );
    expect(degraded).toMatchObject({ status: 503 });
    expect(JSON.parse((degraded as { body: string }).body).checks).toContainEqual(
      expect.objectContaining({ name: 'workers', ok: false }),
    );
    expect(await probe(`${url}/api/v1/ping`)).toMatchObject({ status: 200 });

    // The last worker dies too: the node answers instead of vanishing.
    process.kill(second!, 'SIGKILL');
    await sleep(300);
    expect(server.child.exitCode).toBeNull();
    expect(await probe(`${url}/healthz`)).toMatchObject({ status: 200 });
    const none = await probe(`${url}/readyz`);
    expect(none).toMatchObject({ status: 503 });
    expect((none as { body: string }).body).toContain('failed to start');
    const order = await probe(`${url}/api/v1/markets`);
    expect(order).toMatchObject({ status: 503 });
    expect(JSON.parse((order as { body: string }).body)).toMatchObject({ code: 'MAINTENANCE' });

    // Fixed: the next attempt starts, and the node is ready again with both workers.
    renameSync(`${markets}.away`, markets);
    const ready = await until(
      () => probe(`${url}/readyz`),
      (r) => typeof r === 'object' && r.status === 200,
      40_000,
    );
    expect(ready).toMatchObject({ status: 200 });
    await until(
      () => childPids(primary),
      (pids) => pids.length === 2,
      20_000,
    );
    expect(
      await until(
        () => probe(`${url}/readyz`),
        (r) => typeof r === 'object' && r.status === 200,
        20_000,
      ),
    ).toMatchObject({
      status: 200,
    });
    expect(server.output()).toContain('a replacement worker started; the node serves again');
  }, 120_000);

  it('starts while the key listener keeps losing its PostgreSQL connection', async () => {
    skipWithout(POSTGRES);
    // A role of this test's own, so only its listener connections are terminated.
    const suffix = `${process.pid}_${Date.now()}`;
    const role = `signet_fault_${suffix}`;
    const schema = `signet_fault_${suffix}`;
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    await admin.query(`create role "${role}" login`);
    await admin.query(`create schema "${schema}" authorization "${role}"`);
    const url = new URL(PG_TEST_URL);
    url.username = role;
    url.searchParams.set('options', `-c search_path=${schema}`);
    let killing = true;
    const killer = (async () => {
      while (killing) {
        await admin.query(
          `select pg_terminate_backend(pid) from pg_stat_activity
           where usename = $1 and application_name = 'signet-key-listener'`,
          [role],
        );
        await sleep(10);
      }
    })();
    const errors: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      errors.push(error);
    };
    process.on('uncaughtException', onUncaught);
    process.on('unhandledRejection', onUncaught);
    try {
      const running = await startServer({ port: 0, host: '127.0.0.1', databaseUrl: url.toString() });
      killing = false;
      await killer;
      expect((await fetch(`${running.url}/api/v1/ping`)).status).toBe(200);
      await running.close();
    } finally {
      killing = false;
      await killer;
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onUncaught);
      await admin.query(`drop schema "${schema}" cascade`);
      await admin.query(`drop role "${role}"`);
      await admin.end();
    }
    expect(errors).toEqual([]);
  }, 60_000);
});
