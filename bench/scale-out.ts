/**
 * The scale-out section of `npm run bench` (issue: key cache, all cores, PostgreSQL at speed), measured in the
 * same run as the rest:
 * - PostgreSQL: signed `GET /api/v1/capital` and signed `POST /api/v1/order` as ratios of SQLite (1 worker each),
 *   in alternating rounds;
 * - `--workers 2` against 1 worker on SQLite, signed reads (the load generator shares the same cores);
 * - the verify library: Signet with 2 workers on libsodium (the default) and on Node's crypto (SIGNET_ED25519=node);
 * - a bare ceiling server (bench/ceiling-server.ts: Fastify, one indexed SQLite key lookup, one verify; 2 workers,
 *   same library), with Signet's signed read as a ratio of it;
 * - revocation delay on PostgreSQL: two nodes, a client hammering node B, keys revoked from this process; from the
 *   commit (as a LISTENing observer sees it) to B's first refusal.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

import pg from 'pg';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { createApiKey, revokeApiKey } from '../src/keys/keys-service.ts';
import { openStore } from '../src/store/create-database.ts';
import { createCapitalRequests } from './capital-load.ts';
import { runLoad, type LoadRequest, type LoadResult } from './lib/load.ts';
import {
  createPostgresSchema,
  freePort,
  startServerProcess,
  type ServerProcess,
} from './lib/server-process.ts';
import { createOrderRequests } from './order-load.ts';

export interface Row {
  name: string;
  value: string;
  note: string;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (ratio: number): string => `${(ratio * 100).toFixed(0)} %`;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

async function measure(
  server: { url: string; pid?: number },
  requests: LoadRequest[],
  what: string,
): Promise<LoadResult> {
  const result = await runLoad(server.url, requests, {
    warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
    serverPid: server.pid,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${what}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return result;
}

async function startCeiling(
  databaseUrl: string,
  workers: number,
): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'ceiling-server.ts'),
      String(port),
      databaseUrl,
      String(workers),
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (i > 300) throw new Error('ceiling server did not start');
    if (
      await fetch(`${url}/api/v1/ping`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function revocationDelays(databaseUrl: string, nodeB: ServerProcess, count: number): Promise<number[]> {
  const db = await openStore(databaseUrl);
  const observer = new pg.Client({ connectionString: databaseUrl });
  await observer.connect();
  const notified = new Map<string, number[]>();
  const now = (): number => performance.timeOrigin + performance.now();
  observer.on('notification', (message) => {
    const apiKey = message.payload?.split(' ')[2];
    if (apiKey !== undefined) notified.set(apiKey, [...(notified.get(apiKey) ?? []), now()]);
  });
  await observer.query('listen signet_keys');
  const delays: number[] = [];
  try {
    const user = await createUser(db, {
      email: `revoke-${Date.now()}@example.com`,
      password: 'bench password',
    });
    for (let i = 0; i < count; i++) {
      const { key, secret } = await createApiKey(db, { userId: user.id, name: `revoke ${i}` });
      const signer = await createSigner(secret!);
      let served = 0;
      let refusedAt: number | undefined;
      const loops = Array.from({ length: 3 }, async () => {
        while (refusedAt === undefined) {
          const prepared = await createSignedRequest({ method: 'GET', path: '/api/v1/capital' }, signer);
          const response = await fetch(nodeB.url + prepared.pathWithQuery, { headers: prepared.headers });
          await response.arrayBuffer();
          if (response.status === 200) served += 1;
          else if (response.status === 401) refusedAt ??= now();
          else throw new Error(`revocation bench: ${response.status}`);
        }
      });
      while (served < 3) await new Promise((r) => setTimeout(r, 2));
      await revokeApiKey(db, { key: key.apiKey });
      await Promise.all(loops);
      while ((notified.get(key.apiKey)?.length ?? 0) < 2) await new Promise((r) => setTimeout(r, 2));
      delays.push(Math.max(0, refusedAt! - notified.get(key.apiKey)![1]!));
    }
  } finally {
    await observer.end();
    await db.destroy();
  }
  return delays.sort((a, b) => a - b);
}

export async function benchScaleOut(): Promise<Row[]> {
  const rows: Row[] = [];
  const schema = await createPostgresSchema();
  const servers: { stop: () => Promise<void> }[] = [];
  const start = async <T extends { stop: () => Promise<void> }>(server: Promise<T>): Promise<T> => {
    const started = await server;
    servers.push(started);
    return started;
  };
  try {
    const sqlite1 = await start(startServerProcess({ workers: 1 }));
    const postgres1 = await start(startServerProcess({ databaseUrl: schema.url, workers: 1 }));

    // PostgreSQL against SQLite, one worker each, alternating rounds.
    const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
    const capital: { sqlite: number; postgres: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      const sqlite = await measure(
        sqlite1,
        await createCapitalRequests(sqlite1.databaseUrl),
        'sqlite capital',
      );
      const postgres = await measure(postgres1, await createCapitalRequests(schema.url), 'postgres capital');
      capital.push({ sqlite: sqlite.requestsPerSecond, postgres: postgres.requestsPerSecond });
    }
    const capitalRatios = capital.map((c) => c.postgres / c.sqlite);
    rows.push({
      name: 'PostgreSQL: GET /api/v1/capital (signed)',
      value: `${fmt(median(capital.map((c) => c.postgres)))} req/s`,
      note: `${pct(median(capitalRatios))} of SQLite (target >= 70 %); rounds ${capital
        .map((c) => `${fmt(c.postgres)}/${fmt(c.sqlite)}`)
        .join(', ')}`,
    });
    const sqliteOrders = await measure(
      sqlite1,
      await createOrderRequests(sqlite1.databaseUrl, 10),
      'sqlite orders',
    );
    const postgresOrders = await measure(
      postgres1,
      await createOrderRequests(schema.url, 10),
      'postgres orders',
    );
    rows.push({
      name: 'PostgreSQL: POST /api/v1/order (signed, crossing)',
      value: `${fmt(postgresOrders.requestsPerSecond)} req/s`,
      note: `${pct(postgresOrders.requestsPerSecond / sqliteOrders.requestsPerSecond)} of SQLite's ${fmt(
        sqliteOrders.requestsPerSecond,
      )} req/s`,
    });

    // Two workers against one, SQLite; libsodium against Node's crypto; the ceiling.
    const sqlite2 = await start(startServerProcess({ workers: 2 }));
    const sqlite2node = await start(startServerProcess({ workers: 2, env: { SIGNET_ED25519: 'node' } }));
    const ceiling = await start(startCeiling(sqlite2.databaseUrl, 2));
    // Alternating rounds: 1 worker, 2 workers, 2 workers on Node's crypto, the ceiling; the medians of the
    // per-round ratios are reported, with each server's CPU time per request (steadier than req/s here).
    const scale: { one: LoadResult; two: LoadResult; twoNode: LoadResult; bare: LoadResult }[] = [];
    for (let round = 0; round < rounds; round++) {
      const twoRequests = await createCapitalRequests(sqlite2.databaseUrl);
      scale.push({
        one: await measure(sqlite1, await createCapitalRequests(sqlite1.databaseUrl), 'sqlite 1 worker'),
        two: await measure(sqlite2, twoRequests, 'sqlite 2 workers'),
        twoNode: await measure(
          sqlite2node,
          await createCapitalRequests(sqlite2node.databaseUrl),
          'sqlite 2 workers node:crypto',
        ),
        bare: await measure(ceiling, twoRequests, 'ceiling'),
      });
    }
    const rate = (r: LoadResult): number => r.requestsPerSecond;
    const cpu = (r: LoadResult): string => `${(r.cpuMicrosPerRequest ?? Number.NaN).toFixed(0)} us`;
    const mid = (pick: (round: (typeof scale)[number]) => LoadResult) =>
      [...scale].sort((a, b) => rate(pick(a)) - rate(pick(b)))[Math.floor((scale.length - 1) / 2)]!;
    const ratios = (
      top: (r: (typeof scale)[number]) => LoadResult,
      bottom: (r: (typeof scale)[number]) => LoadResult,
    ) => scale.map((r) => rate(top(r)) / rate(bottom(r)));
    const workerRatios = ratios(
      (r) => r.two,
      (r) => r.one,
    );
    const libraryRatios = ratios(
      (r) => r.two,
      (r) => r.twoNode,
    );
    const ceilingRatios = ratios(
      (r) => r.two,
      (r) => r.bare,
    );
    const two = mid((r) => r.two).two;
    rows.push({
      name: 'SQLite --workers 2: GET /api/v1/capital',
      value: `${fmt(two.requestsPerSecond)} req/s`,
      note: `${median(workerRatios).toFixed(2)}x 1 worker (target >= 1.3x; rounds ${workerRatios
        .map((r) => `${r.toFixed(2)}x`)
        .join(', ')}; 1 worker ${fmt(mid((r) => r.one).one.requestsPerSecond)} req/s)`,
    });
    rows.push({
      name: 'verify library, --workers 2',
      value: pct(median(libraryRatios)),
      note: `sodium-native (the default) as a share of node:crypto (SIGNET_ED25519=node, ${fmt(
        mid((r) => r.twoNode).twoNode.requestsPerSecond,
      )} req/s); rounds ${libraryRatios.map(pct).join(', ')}`,
    });
    rows.push({
      name: 'ceiling (Fastify + key lookup + verify), 2 workers',
      value: `${fmt(mid((r) => r.bare).bare.requestsPerSecond)} req/s`,
      note: `Signet's signed capital is ${pct(median(ceilingRatios))} of it (target >= 80 %; rounds ${ceilingRatios
        .map(pct)
        .join(', ')}); CPU per request: Signet ${cpu(two)}, ceiling ${cpu(mid((r) => r.bare).bare)}`,
    });

    // Revocation delay, two PostgreSQL nodes.
    const postgresB = await start(startServerProcess({ databaseUrl: schema.url, workers: 1 }));
    const delays = await revocationDelays(schema.url, postgresB, Number(process.env.BENCH_REVOCATIONS ?? 50));
    const at = (p: number): string =>
      delays[Math.min(delays.length - 1, Math.ceil((p / 100) * delays.length) - 1)]!.toFixed(1);
    rows.push({
      name: 'revocation delay, PostgreSQL, other node',
      value: `p99 ${at(99)} ms`,
      note: `${delays.length} revocations: p50 ${at(50)} ms, max ${delays.at(-1)!.toFixed(1)} ms (target p99 < 100, max < 1000)`,
    });
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await schema.drop();
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await benchScaleOut();
  for (const row of rows) console.log(`${row.name.padEnd(52)} ${row.value.padStart(14)}  ${row.note}`);
}
