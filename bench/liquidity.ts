/**
 * What the built-in market makers cost the people using the exchange: signed reads (GET /api/v1/capital) and
 * crossing orders (POST /api/v1/order) on a server with the makers running (SIGNET_LIQUIDITY=on, the default) as a
 * ratio of the same load on a server without them, in alternating rounds (a fresh server each time, so neither
 * inherits the other's database), and the makers' own CPU: an idle server's CPU with them minus without, over a
 * few seconds, in percent of one core. Target: both ratios at least 90 %; the makers a few percent of a core.
 *
 * Run alone: `node --import tsx bench/liquidity.ts` (BENCH_ROUNDS, BENCH_SECONDS as for bench/run.ts).
 */
import { readFileSync } from 'node:fs';

import { createCapitalRequests } from './capital-load.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { startServerProcess, type ServerProcess } from './lib/server-process.ts';
import { createOrderRequests } from './order-load.ts';

const CLOCK_TICKS = 100; // USER_HZ on Linux
const IDLE_SECONDS = 5;

export interface LiquidityBench {
  readonly rounds: { off: Measured; on: Measured }[];
  readonly signedRatios: number[];
  readonly orderRatios: number[];
  /** Percent of one core, per round: idle CPU with the makers minus without. */
  readonly makerCpu: number[];
}

interface Measured {
  readonly signed: LoadResult;
  readonly orders: LoadResult;
  readonly idleCpu: number;
}

/** CPU seconds (user + system) a process used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

async function waitForBook(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const depth = (await (await fetch(`${url}/api/v1/depth?symbol=SOL_USDC`)).json()) as {
      bids: unknown[];
      asks: unknown[];
    };
    if (depth.bids.length >= 10 && depth.asks.length >= 10) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the makers did not fill the book in 30 s');
}

async function measure(liquidity: 'on' | 'off'): Promise<Measured> {
  const server: ServerProcess = await startServerProcess({
    env: { SIGNET_LIQUIDITY: liquidity, SIGNET_LIQUIDITY_SEED: 'bench' },
  });
  try {
    if (liquidity === 'on') await waitForBook(server.url);
    await new Promise((resolve) => setTimeout(resolve, 2000)); // start-up work out of the way
    const before = cpuSeconds(server.pid);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
    const idleCpu = ((cpuSeconds(server.pid) - before) / IDLE_SECONDS) * 100;
    const signed = await runLoad(server.url, await createCapitalRequests(server.databaseUrl, 20));
    if (signed.non2xx > 0) throw new Error(`signed run had ${signed.non2xx} non-2xx answers`);
    const orders = await runLoad(server.url, await createOrderRequests(server.databaseUrl, 10));
    if (orders.non2xx > 0) throw new Error(`order run had ${orders.non2xx} non-2xx answers`);
    return { signed, orders, idleCpu };
  } finally {
    await server.stop();
  }
}

export async function benchLiquidity(rounds: number): Promise<LiquidityBench> {
  const measured: { off: Measured; on: Measured }[] = [];
  for (let round = 0; round < rounds; round += 1) {
    // Alternate which goes first, so a drift of the machine does not favour one side.
    const first = round % 2 === 0 ? 'off' : 'on';
    const a = await measure(first);
    const b = await measure(first === 'off' ? 'on' : 'off');
    measured.push(first === 'off' ? { off: a, on: b } : { off: b, on: a });
  }
  return {
    rounds: measured,
    signedRatios: measured.map((r) => r.on.signed.requestsPerSecond / r.off.signed.requestsPerSecond),
    orderRatios: measured.map((r) => r.on.orders.requestsPerSecond / r.off.orders.requestsPerSecond),
    makerCpu: measured.map((r) => r.on.idleCpu - r.off.idleCpu),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLiquidity(Number(process.env.BENCH_ROUNDS ?? 3));
  const pct = (values: number[]): string => values.map((v) => `${(v * 100).toFixed(0)} %`).join(', ');
  const median = (values: number[]): number =>
    [...values].sort((x, y) => x - y)[Math.floor((values.length - 1) / 2)] ?? 0;
  for (const round of result.rounds) {
    console.log(
      `off: capital ${round.off.signed.requestsPerSecond.toFixed(0)} req/s, orders ${round.off.orders.requestsPerSecond.toFixed(0)} req/s, idle CPU ${round.off.idleCpu.toFixed(1)} %` +
        ` | on: capital ${round.on.signed.requestsPerSecond.toFixed(0)} req/s, orders ${round.on.orders.requestsPerSecond.toFixed(0)} req/s, idle CPU ${round.on.idleCpu.toFixed(1)} %`,
    );
  }
  console.log(
    `signed reads with makers / without: median ${(median(result.signedRatios) * 100).toFixed(0)} % (${pct(result.signedRatios)})`,
  );
  console.log(
    `crossing orders with makers / without: median ${(median(result.orderRatios) * 100).toFixed(0)} % (${pct(result.orderRatios)})`,
  );
  console.log(
    `makers' own CPU (idle server, on - off): median ${median(result.makerCpu).toFixed(1)} % of a core (${result.makerCpu.map((v) => v.toFixed(1)).join(', ')})`,
  );
}
