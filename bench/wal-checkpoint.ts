/**
 * `node --import tsx bench/wal-checkpoint.ts`: the SQLite checkpoint policy against the disk it needs. For each
 * `SIGNET_WAL_AUTOCHECKPOINT` (pages between checkpoints), a server on a fresh SQLite file takes signed crossing
 * orders (every other one fills) for BENCH_SECONDS; the table gives orders per second, as a ratio to the largest
 * setting in the same run, and the largest the WAL file grew to (sampled every 50 ms). Settings alternate over
 * BENCH_ROUNDS rounds and the median is kept (the machine is shared and noisy).
 */
import { statSync } from 'node:fs';

import { runLoad } from './lib/load.ts';
import { startServerProcess } from './lib/server-process.ts';
import { createOrderRequests } from './order-load.ts';

const SETTINGS = (process.env.BENCH_WAL_PAGES ?? '1000,2000,4000,10000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

function walBytes(databaseUrl: string): number {
  try {
    return statSync(`${databaseUrl}-wal`).size;
  } catch {
    return 0;
  }
}

async function measure(pages: number): Promise<{ ordersPerSecond: number; walMaxBytes: number }> {
  const server = await startServerProcess({
    env: { SIGNET_RATE_LIMITS: 'off', SIGNET_REPLAY: 'off', SIGNET_WAL_AUTOCHECKPOINT: String(pages) },
  });
  try {
    const requests = await createOrderRequests(server.databaseUrl, 10);
    let walMaxBytes = 0;
    const sampler = setInterval(() => {
      walMaxBytes = Math.max(walMaxBytes, walBytes(server.databaseUrl));
    }, 50);
    const result = await runLoad(server.url, requests, { seconds: SECONDS, warmupSeconds: 2 });
    clearInterval(sampler);
    return { ordersPerSecond: result.requestsPerSecond, walMaxBytes };
  } finally {
    await server.stop();
  }
}

async function main(): Promise<void> {
  const runs = new Map<number, { ordersPerSecond: number; walMaxBytes: number }[]>();
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const pages of round % 2 === 0 ? SETTINGS : [...SETTINGS].reverse()) {
      const list = runs.get(pages) ?? [];
      list.push(await measure(pages));
      runs.set(pages, list);
    }
  }
  const median = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;
  const baseline = median(runs.get(Math.max(...SETTINGS))!.map((r) => r.ordersPerSecond));
  console.log('| wal_autocheckpoint (pages) | orders/s (median) | vs largest | largest WAL seen |');
  console.log('| --- | --- | --- | --- |');
  for (const pages of SETTINGS) {
    const list = runs.get(pages)!;
    const rate = median(list.map((r) => r.ordersPerSecond));
    const wal = Math.max(...list.map((r) => r.walMaxBytes));
    console.log(
      `| ${pages} | ${Math.round(rate)} | ${(rate / baseline).toFixed(2)} | ${(wal / 1024 / 1024).toFixed(1)} MiB |`,
    );
  }
}

await main();
