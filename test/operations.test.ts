/**
 * Running Signet: liveness and readiness probes (database, migrations, Redis when configured), request ids in
 * answers and logs, and a SIGTERM during a load run: every request in flight is answered, the process exits
 * within its grace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { startServer, type RunningServer } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { REDIS_SERVER } from './helpers/requirements.ts';
import { freePort, startSignetProcess } from './helpers/signet-process.ts';

async function startRedis(port: number): Promise<ChildProcess> {
  const redis = spawn(REDIS_SERVER.where, ['--port', String(port), '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}`).then(
      () => true,
      (error: { cause?: { code?: string } }) => error.cause?.code !== 'ECONNREFUSED',
    );
    if (up) return redis;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start');
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

describe.skipIf(!REDIS_SERVER.available)('/healthz and /readyz', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-ops-'));
  let redisPort: number;
  let redis: ChildProcess;
  let server: RunningServer;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      databaseUrl: join(dir, 'ops.db'),
      redisUrl: `redis://127.0.0.1:${redisPort}`,
    });
  }, 60_000);
  afterAll(async () => {
    await server?.close();
    if (redis) await stopProcess(redis);
    rmSync(dir, { recursive: true, force: true });
  });

  const readyz = async () => {
    const response = await fetch(`${server.url}/readyz`);
    return {
      status: response.status,
      body: (await response.json()) as { checks: { name: string; ok: boolean }[] },
    };
  };

  it('answers /healthz with 200 while the process runs', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz/ and /healthz/ like /readyz and /healthz (regression: /readyz/ answered the console page)', async () => {
    for (const path of ['/readyz', '/healthz']) {
      const plain = await fetch(`${server.url}${path}`);
      const slashed = await fetch(`${server.url}${path}/`);
      expect(slashed.status).toBe(plain.status);
      expect(slashed.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await slashed.json()).toEqual(await plain.json());
    }
  });

  it('is ready with the database, every migration, Redis and room on disk; 503 naming Redis while Redis is down', async () => {
    const up = await readyz();
    expect(up.status).toBe(200);
    expect(up.body.checks).toEqual([
      { name: 'database', ok: true },
      { name: 'migrations', ok: true },
      { name: 'redis', ok: true },
      { name: 'storage', ok: true },
    ]);

    await stopProcess(redis);
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body.checks.find((c) => c.name === 'redis')).toMatchObject({ ok: false });
    expect(down.body.checks.find((c) => c.name === 'database')).toMatchObject({ ok: true });
    expect((await fetch(`${server.url}/readyz/`)).status).toBe(503);
    // Liveness does not depend on Redis: restarting the process would not help.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    redis = await startRedis(redisPort);
    expect((await readyz()).status).toBe(200);
  }, 30_000);

  it('is not ready while a migration is pending', async () => {
    const db = await openStore(join(dir, 'ops.db'));
    try {
      const [last] = await db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .orderBy('name' as never, 'desc')
        .execute();
      const name = (last as unknown as { name: string }).name;
      await db
        .deleteFrom('kysely_migration' as never)
        .where('name' as never, '=', name as never)
        .execute();
      const pending = await readyz();
      expect(pending.status).toBe(503);
      expect(pending.body.checks.find((c) => c.name === 'migrations')).toMatchObject({ ok: false });
      await db
        .insertInto('kysely_migration' as never)
        .values({ name, timestamp: new Date().toISOString() } as never)
        .execute();
      expect((await readyz()).status).toBe(200);
    } finally {
      await db.destroy();
    }
  });

  it("names each answer's request id, taking a proxy's X-Request-Id when it is a plain token", async () => {
    const fresh = await fetch(`${server.url}/api/v1/status`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await fetch(`${server.url}/api/v1/status`, {
      headers: { 'x-request-id': 'nginx-abc.123' },
    });
    expect(given.headers.get('x-request-id')).toBe('nginx-abc.123');
    const hostile = await fetch(`${server.url}/api/v1/status`, { headers: { 'x-request-id': 'a b"\\' } });
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

interface Outcome {
  status?: number;
  error?: string;
  /** The request was on a new connection the server did not take after it stopped listening. */
  refused?: boolean;
}

function send(
  agent: Agent,
  url: string,
  prepared: { path: string; headers: Record<string, string> },
): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(url + prepared.path, { agent, headers: prepared.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
      res.on('error', (error) => resolve({ error: error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      // A new connection after the server stopped accepting: refused by the kernel, or (with workers) accepted by
      // the cluster primary's socket as the last worker closed and then reset. Neither was a request in flight:
      // the server never had it. A request on a connection it had served before must always be answered.
      const fresh = !req.reusedSocket;
      const refused = error.code === 'ECONNREFUSED' || (fresh && error.code === 'ECONNRESET');
      resolve(refused ? { refused: true } : { error: `${error.code} ${error.message}` });
    });
    req.end();
  });
}

describe.each([1, 2])('SIGTERM during a load run (--workers %i)', (workers) => {
  it('answers every request in flight and exits within the grace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-term-'));
    const databaseUrl = join(dir, 'term.db');
    const db = await openStore(databaseUrl);
    const user = await createUser(db, { email: 'term@example.com', password: 'long enough password' });
    const signers: Awaited<ReturnType<typeof createSigner>>[] = [];
    for (let i = 0; i < 4; i++) {
      const { secret } = await createApiKey(db, { userId: user.id, name: `k${i}` });
      signers.push(await createSigner(secret!));
    }
    await db.destroy();

    const graceMs = 4000;
    const server = await startSignetProcess({
      databaseUrl,
      workers,
      env: { SIGNET_SHUTDOWN_GRACE: String(graceMs), LOG_LEVEL: 'info' },
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const outcomes: Outcome[] = [];
    let running = true;
    const loops = Array.from({ length: 16 }, async (_, i) => {
      while (running) {
        const prepared = await createSignedRequest(
          { method: 'GET', path: '/api/v1/capital', window: 60_000 },
          signers[i % signers.length]!,
        );
        const outcome = await send(agent, server.url, {
          path: prepared.pathWithQuery,
          headers: prepared.headers,
        });
        outcomes.push(outcome);
        if (outcome.refused) await new Promise((r) => setTimeout(r, 20));
      }
    });

    // A request that is in flight when the signal arrives: its body is still being sent.
    const slowSigner = signers[0]!;
    const slow = await createSignedRequest(
      {
        method: 'POST',
        path: '/api/v1/order',
        body: { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '1', quantity: '1' },
        window: 60_000,
      },
      slowSigner,
    );
    const slowBody = Buffer.from(slow.body!);
    const slowAnswer = new Promise<Outcome>((resolve) => {
      const req = httpRequest(
        server.url + slow.pathWithQuery,
        {
          method: 'POST',
          agent: false,
          headers: { ...slow.headers, 'content-type': 'application/json', 'content-length': slowBody.length },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve({ status: res.statusCode, error: text }));
        },
      );
      req.on('error', (error) => resolve({ error: error.message }));
      req.write(slowBody.subarray(0, 10));
      setTimeout(() => req.end(slowBody.subarray(10)), 1000);
    });

    await new Promise((r) => setTimeout(r, 1500));
    const servedBefore = outcomes.filter((o) => o.status === 200).length;
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    const code = await exited;
    const tookMs = Date.now() - signalled;
    running = false;
    await Promise.all(loops);
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });

    expect(servedBefore).toBeGreaterThan(20);
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(graceMs + 1500);
    // In flight at the signal: answered (this one is refused for funds, which proves it was handled), not cut.
    const slowOutcome = await slowAnswer;
    expect(slowOutcome.status).toBeGreaterThanOrEqual(200);
    expect(slowOutcome.status).toBeLessThan(500);
    // Every request sent on an open connection got its answer; only new connections after close were refused.
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
    expect(outcomes.filter((o) => o.status !== undefined && o.status !== 200)).toEqual([]);
    expect(outcomes.some((o) => o.refused)).toBe(true);
    // Structured logs carry the request id of each request.
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    expect(lines.some((line) => /"reqId":"[0-9a-f-]{36}"/.test(line))).toBe(true);
    expect(lines.some((line) => line.includes('shutting down'))).toBe(true);
  }, 60_000);
});
