/**
 * Orders on each dialect, in the same run: signed crossing `POST /api/v1/order` on SQLite and on PostgreSQL (one
 * worker each), against SQLite's signed `GET /api/v1/capital`, in alternating rounds (BENCH_ROUNDS, default 2).
 * Reports the PostgreSQL / SQLite ratio of crossing orders (target >= 50 %), SQLite's order / capital ratio (target
 * >= 60 %) and the server's CPU per order on each dialect (from /proc: what an order costs the server, which the
 * machine's other load disturbs far less than req/s), with the same two ratios read from CPU per request. Run alone: `node --import tsx bench/order-dialects.ts`.
 */
import { pathToFileURL } from 'node:url';

import { createCapitalRequests } from './capital-load.ts';
import { runLoad, type LoadRequest, type LoadResult } from './lib/load.ts';
import { createPostgresSchema, startServerProcess } from './lib/server-process.ts';
import { createOrderRequests } from './order-load.ts';

export interface Row {
  name: string;
  value: string;
  note: string;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const pct = (ratio: number): string => `${(ratio * 100).toFixed(0)} %`;
const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)] as number;

async function measure(server: { url: string; pid: number }, requests: LoadRequest[], what: string) {
  const result: LoadResult = await runLoad(server.url, requests, {
    warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 2),
    serverPid: server.pid,
  });
  // Socket errors (time-outs when the shared machine is overloaded) are reported, refusals are not tolerated.
  if (result.non2xx > 0) throw new Error(`${what}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  if (result.errors > 0) console.warn(`${what}: ${result.errors} socket errors`);
  return result;
}

export async function benchOrderDialects(rounds = Number(process.env.BENCH_ROUNDS ?? 2)): Promise<Row[]> {
  const schema = await createPostgresSchema();
  const sqlite = await startServerProcess({ workers: 1 });
  const postgres = await startServerProcess({ databaseUrl: schema.url, workers: 1 });
  try {
    const runs: { capital: LoadResult; sqlite: LoadResult; postgres: LoadResult }[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const capital = await measure(sqlite, await createCapitalRequests(sqlite.databaseUrl, 20), 'capital');
      const sqliteOrders = await measure(
        sqlite,
        await createOrderRequests(sqlite.databaseUrl, 10),
        'sqlite orders',
      );
      const postgresOrders = await measure(
        postgres,
        await createOrderRequests(schema.url, 10),
        'postgres orders',
      );
      runs.push({ capital, sqlite: sqliteOrders, postgres: postgresOrders });
    }
    const rate = (r: LoadResult): number => r.requestsPerSecond;
    const cpu = (r: LoadResult): number => r.cpuMicrosPerRequest ?? Number.NaN;
    const each = (values: number[], format: (n: number) => string): string => values.map(format).join(', ');
    const dialectRatios = runs.map((r) => rate(r.postgres) / rate(r.sqlite));
    const capitalRatios = runs.map((r) => rate(r.sqlite) / rate(r.capital));
    return [
      {
        name: 'orders: PostgreSQL / SQLite (signed, crossing)',
        value: pct(median(dialectRatios)),
        note: `target >= 50 %; rounds ${each(dialectRatios, pct)}; ${fmt(median(runs.map((r) => rate(r.postgres))))} vs ${fmt(
          median(runs.map((r) => rate(r.sqlite))),
        )} req/s`,
      },
      {
        name: 'orders: SQLite order / capital (signed)',
        value: pct(median(capitalRatios)),
        note: `target >= 60 %; rounds ${each(capitalRatios, pct)}; capital ${fmt(median(runs.map((r) => rate(r.capital))))} req/s`,
      },
      {
        // The steadier reading on a shared machine: what each costs the server, as the same ratios.
        name: 'orders by server CPU: PostgreSQL / SQLite, order / capital',
        value: `${pct(median(runs.map((r) => cpu(r.sqlite) / cpu(r.postgres))))} / ${pct(
          median(runs.map((r) => cpu(r.capital) / cpu(r.sqlite))),
        )}`,
        note: `CPU per request: capital ${median(runs.map((r) => cpu(r.capital))).toFixed(0)} us`,
      },
      {
        name: 'orders: server CPU per crossing order',
        value: `${median(runs.map((r) => cpu(r.postgres))).toFixed(0)} / ${median(runs.map((r) => cpu(r.sqlite))).toFixed(0)} us`,
        note: `PostgreSQL / SQLite; p50 ${median(runs.map((r) => r.postgres.p50Ms))} / ${median(
          runs.map((r) => r.sqlite.p50Ms),
        )} ms`,
      },
    ];
  } finally {
    await Promise.all([sqlite.stop(), postgres.stop()]);
    await schema.drop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await benchOrderDialects()) console.log(`${row.name}  ${row.value}  ${row.note}`);
}
