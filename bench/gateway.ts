/**
 * What the gateway costs: a signed GET through Signet to a trivial upstream, against the same upstream called
 * directly and Signet's own signed read (GET /api/v1/capital), all in one run, in alternating rounds (the machine
 * is shared and noisy: medians of per-round figures, read as ratios).
 *
 * Three loads, each with the CPU per request of every process involved (from /proc, so the machine's other load
 * disturbs it far less than req/s):
 *   direct   the upstream alone                        -> upstream CPU
 *   read     Signet's signed GET /api/v1/capital       -> Signet CPU
 *   gateway  signed GET /v1/things through Signet      -> Signet CPU and upstream CPU, separately
 * Target (issue #23): Signet's CPU per forwarded request at most 1.3x its CPU per signed read.
 *
 * Alone: `node --import tsx bench/gateway.ts` (BENCH_ROUNDS, BENCH_SECONDS as for `npm run bench`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { createUser } from '../src/accounts/accounts-service.ts';
import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { openStore } from '../src/store/create-database.ts';
import { createCapitalRequests } from './capital-load.ts';
import { runLoad, type LoadRequest, type LoadResult } from './lib/load.ts';
import { freePort, startServerProcess } from './lib/server-process.ts';

export interface GatewayRow {
  name: string;
  value: string;
  note: string;
}

const UPSTREAM_SOURCE = `
import { createServer } from 'node:http';
const body = '{"things":[]}';
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }).end(body));
});
server.keepAliveTimeout = 60000;
server.listen(Number(process.argv[2]), '127.0.0.1', () => process.stdout.write('ready\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/** The trivial upstream: Node's http module answering a small JSON body, in its own process. */
async function startUpstream(dir: string): Promise<{ url: string; pid: number; stop: () => Promise<void> }> {
  const file = join(dir, 'upstream.mjs');
  writeFileSync(file, UPSTREAM_SOURCE);
  const port = await freePort();
  const child = spawn(process.execPath, [file, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** 20 keys, one pre-signed GET /v1/things each (60 s window; GET is not replay-guarded). */
async function gatewayRequests(databaseUrl: string): Promise<LoadRequest[]> {
  const db = await openStore(databaseUrl);
  try {
    const user = await createUser(db, {
      email: `bench-gateway-${Date.now()}-${Math.random()}@example.com`,
      password: 'bench password',
    });
    const out: LoadRequest[] = [];
    for (let i = 0; i < 20; i++) {
      const { secret } = await createApiKey(db, {
        userId: user.id,
        name: `gateway ${i}`,
        permissions: 'read',
      });
      const prepared = await createSignedRequest(
        {
          method: 'GET',
          path: '/v1/things',
          instruction: 'thingsQuery',
          query: { limit: '10' },
          window: 60_000,
        },
        await createSigner(secret as string),
      );
      out.push({ path: prepared.pathWithQuery, headers: prepared.headers });
    }
    return out;
  } finally {
    await db.destroy();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

export async function benchGateway(rounds: number): Promise<GatewayRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-gateway-'));
  const upstream = await startUpstream(dir);
  const routes = join(dir, 'routes.json');
  writeFileSync(
    routes,
    JSON.stringify({
      routes: [{ method: 'GET', path: '/v1/things', instruction: 'thingsQuery', permission: 'read' }],
    }),
  );
  const signet = await startServerProcess({ env: { SIGNET_ROUTES: routes, SIGNET_UPSTREAM: upstream.url } });
  try {
    const direct: LoadResult[] = [];
    const read: LoadResult[] = [];
    const gateway: LoadResult[] = [];
    const pids = { signet: signet.pid, upstream: upstream.pid };
    for (let round = 0; round < rounds; round++) {
      const warmupSeconds = round === 0 ? undefined : 1;
      direct.push(
        await runLoad(upstream.url, [{ path: '/v1/things?limit=10' }], { warmupSeconds, cpuPids: pids }),
      );
      const capital = await runLoad(signet.url, await createCapitalRequests(signet.databaseUrl, 20), {
        warmupSeconds,
        cpuPids: pids,
      });
      const through = await runLoad(signet.url, await gatewayRequests(signet.databaseUrl), {
        warmupSeconds,
        cpuPids: pids,
      });
      for (const [name, result] of [
        ['read', capital],
        ['gateway', through],
      ] as const) {
        if (result.non2xx > 0 || result.errors > 0) {
          throw new Error(`${name} run had ${result.non2xx} non-2xx answers and ${result.errors} errors`);
        }
      }
      read.push(capital);
      gateway.push(through);
    }
    const cpu = (runs: LoadResult[], process: 'signet' | 'upstream'): number =>
      median(runs.map((r) => r.cpuMicrosPerRequestOf?.[process] ?? Number.NaN));
    const rps = (runs: LoadResult[]): number => median(runs.map((r) => r.requestsPerSecond));
    const signetForwarded = cpu(gateway, 'signet');
    const signetRead = cpu(read, 'signet');
    const upstreamThrough = cpu(gateway, 'upstream');
    const upstreamDirect = cpu(direct, 'upstream');
    const perRoundRatio = gateway.map(
      (g, i) => (g.cpuMicrosPerRequestOf?.signet ?? NaN) / (read[i]?.cpuMicrosPerRequestOf?.signet ?? NaN),
    );
    const expected = 1 / (1 / rps(direct) + 1 / rps(read));
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    return [
      {
        name: 'gateway: signed GET forwarded to a trivial upstream',
        value: `${fmt(rps(gateway))} req/s`,
        note: `p50 ${median(gateway.map((r) => r.p50Ms))} ms; upstream direct ${fmt(rps(direct))} req/s, Signet's signed read ${fmt(rps(read))} req/s`,
      },
      {
        name: 'gateway: Signet CPU per forwarded request / per signed read',
        value: `${(signetForwarded / signetRead).toFixed(2)}x`,
        note: `target <= 1.30x; ${signetForwarded.toFixed(0)} vs ${signetRead.toFixed(0)} us; rounds ${perRoundRatio
          .map((r) => `${r.toFixed(2)}x`)
          .join(', ')}`,
      },
      {
        name: 'gateway: upstream CPU per request, through Signet / direct',
        value: `${(upstreamThrough / upstreamDirect).toFixed(2)}x`,
        note: `${upstreamThrough.toFixed(0)} vs ${upstreamDirect.toFixed(0)} us (identity headers to parse; keep-alive both ways)`,
      },
      {
        name: 'gateway: req/s / (1/(1/direct + 1/signed read))',
        value: `${((rps(gateway) / expected) * 100).toFixed(0)} %`,
        note: `expected ${fmt(expected)} req/s if forwarding cost Signet nothing beyond a signed read`,
      },
    ];
  } finally {
    await signet.stop();
    await upstream.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchGateway(Number(process.env.BENCH_ROUNDS ?? 3));
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const row of rows) console.log(`${row.name.padEnd(width)}  ${row.value.padStart(12)}  ${row.note}`);
}
