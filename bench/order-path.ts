/**
 * `node --import tsx bench/order-path.ts`: only the order-path rows of `npm run bench` (signed POST /api/v1/order,
 * crossing pairs, against signed GET /api/v1/capital in alternating rounds, median ratio), for measuring a change
 * of the order path before/after without the whole table. BENCH_ROUNDS, BENCH_SECONDS and BENCH_WORKERS apply;
 * BENCH_DATABASE_URL runs it on that database (e.g. a PostgreSQL URL with `options=-c search_path=<empty schema>`).
 */
import { createCapitalRequests } from './capital-load.ts';
import { startServerProcess } from './lib/server-process.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { createOrderRequests } from './order-load.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 1);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

async function main(): Promise<void> {
  const server = await startServerProcess({
    workers: WORKERS,
    ...(process.env.BENCH_DATABASE_URL ? { databaseUrl: process.env.BENCH_DATABASE_URL } : {}),
    env: { SIGNET_RATE_LIMITS: 'off', SIGNET_REPLAY: 'off' },
  });
  try {
    const rounds: { signed: LoadResult; orders: LoadResult }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const warmupSeconds = round === 0 ? undefined : 1;
      const signed = await runLoad(server.url, await createCapitalRequests(server.databaseUrl, 20), {
        warmupSeconds,
      });
      const orders = await runLoad(server.url, await createOrderRequests(server.databaseUrl, 10), {
        warmupSeconds,
      });
      if (orders.non2xx > 0) throw new Error(`order run had ${orders.non2xx} non-2xx answers`);
      rounds.push({ signed, orders });
    }
    const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
    const orders = rounds.map((r) => r.orders.requestsPerSecond);
    const ratios = rounds.map((r) => r.orders.requestsPerSecond / r.signed.requestsPerSecond);
    console.log(
      `${server.databaseUrl.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}, workers ${WORKERS}, ${ROUNDS} rounds`,
    );
    console.log(
      `POST /api/v1/order (crossing pairs): median ${fmt(median(orders))} req/s (${orders.map(fmt).join(', ')})`,
    );
    console.log(
      `order / capital (signed): median ${(median(ratios) * 100).toFixed(1)} % (${ratios
        .map((r) => `${(r * 100).toFixed(1)} %`)
        .join(', ')})`,
    );
  } finally {
    await server.stop();
  }
}

await main();
