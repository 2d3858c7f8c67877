/**
 * Stream benchmarks (docs/STREAMS.md): the signed order rate with and without 100 subscribers of the traded
 * market (alternating rounds, median ratio), the frames per second those subscribers receive while orders stream
 * in, and the latency from an order's HTTP response to its `orderAccepted` frame on `account.orderUpdate`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { WebSocket } from 'ws';

import { createSignedRequest } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { createOrderRequests } from './order-load.ts';

export interface StreamBench {
  without: LoadResult[];
  with: LoadResult[];
  ratios: number[];
  framesPerSecond: number;
  latency: { p50: number; p99: number; samples: number };
}

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const progress = (step: string): void => void process.stderr.write(`streams bench: ${step}\n`);

interface Subscribers {
  start: () => void;
  stop: () => Promise<{ messages: number; seconds: number }>;
}

async function startSubscribers(wsUrl: string, count: number): Promise<Subscribers> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'lib', 'stream-subscribers.ts'),
      wsUrl,
      String(count),
      'SOL_USDC',
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
  if ((await next()) !== 'ready') throw new Error('subscribers did not start');
  return {
    start: () => child.stdin.write('start\n'),
    stop: async () => {
      const answer = next();
      child.stdin.write('stop\n');
      return JSON.parse(await answer) as { messages: number; seconds: number };
    },
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? 0;
}

/** Sequential orders of one key; time from each HTTP response to its orderAccepted frame. */
async function measureLatency(
  url: string,
  databaseUrl: string,
  samples: number,
): Promise<StreamBench['latency']> {
  const db = await openStore(databaseUrl);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, {
    email: `bench-latency-${Date.now()}@example.com`,
    password: 'bench password',
  });
  const { key, secret } = await createApiKey(db, { userId: user.id, name: 'latency' });
  await depositTestFunds(db, config, { userId: user.id, symbol: 'USDC', quantity: '10000000' });
  await db.destroy();
  const signer = { ...(await createSigner(secret as string)), apiKey: key.apiKey };
  const socket = new WebSocket(url.replace('http', 'ws'));
  await new Promise((resolve) => socket.once('open', resolve));
  const arrived = new Map<string, number>();
  const waiting = new Map<string, (at: number) => void>();
  socket.on('message', (data) => {
    const at = performance.now();
    const frame = JSON.parse(String(data)) as {
      data?: { e?: string; i?: string };
      error?: { message: string };
    };
    if (frame.error) console.error('latency subscription error:', frame.error.message);
    if (frame.data?.e !== 'orderAccepted' || frame.data.i === undefined) return;
    const waiter = waiting.get(frame.data.i);
    if (waiter) waiter(at);
    else arrived.set(frame.data.i, at);
  });
  const timestamp = String(Date.now());
  const signature = await signer.sign(`instruction=subscribe&timestamp=${timestamp}&window=5000`);
  socket.send(
    JSON.stringify({
      method: 'SUBSCRIBE',
      params: ['account.orderUpdate'],
      signature: [key.apiKey, signature, timestamp, '5000'],
    }),
  );
  await new Promise((resolve) => setTimeout(resolve, 200));
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const body = { symbol: 'SOL_USDC', side: 'Bid', orderType: 'Limit', price: '10', quantity: '0.01' };
    const prepared = await createSignedRequest({ method: 'POST', path: '/api/v1/order', body }, signer);
    const response = await fetch(url + prepared.pathWithQuery, {
      method: 'POST',
      headers: prepared.headers,
      body: prepared.body ?? null,
    });
    const answer = (await response.json()) as { id?: string; message?: string };
    const answeredAt = performance.now();
    const id = answer.id;
    if (response.status !== 200 || id === undefined)
      throw new Error(`latency order refused: ${answer.message}`);
    const frameAt =
      arrived.get(id) ??
      (await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no orderAccepted frame for order ${id}`)), 5000);
        waiting.set(id, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      }));
    latencies.push(Math.max(0, frameAt - answeredAt));
  }
  socket.terminate();
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), samples: latencies.length };
}

export async function benchStreams(
  server: { url: string; databaseUrl: string; pid?: number },
  rounds: number,
): Promise<StreamBench> {
  const wsUrl = server.url.replace('http', 'ws');
  const out: StreamBench = {
    without: [],
    with: [],
    ratios: [],
    framesPerSecond: 0,
    latency: { p50: 0, p99: 0, samples: 0 },
  };
  const frameRates: number[] = [];
  for (let round = 0; round < rounds; round++) {
    progress(`round ${round + 1}: orders without subscribers`);
    const withoutRun = await runLoad(server.url, await createOrderRequests(server.databaseUrl, 10), {
      warmupSeconds: 1,
      serverPid: server.pid,
    });
    const subscribers = await startSubscribers(wsUrl, SUBSCRIBERS);
    const requests = await createOrderRequests(server.databaseUrl, 10);
    progress(`round ${round + 1}: orders with ${SUBSCRIBERS} subscribers`);
    // The same 1 s warm-up as the run without (the fan-out's code compiles then), before frames are counted.
    await runLoad(server.url, requests, { warmupSeconds: 0, seconds: 1 });
    subscribers.start();
    const withRun = await runLoad(server.url, requests, { warmupSeconds: 0, serverPid: server.pid });
    const received = await subscribers.stop();
    if (withoutRun.non2xx + withRun.non2xx > 0)
      throw new Error('stream bench order runs had non-2xx answers');
    out.without.push(withoutRun);
    out.with.push(withRun);
    out.ratios.push(withRun.requestsPerSecond / withoutRun.requestsPerSecond);
    frameRates.push(received.messages / received.seconds);
  }
  frameRates.sort((a, b) => a - b);
  out.framesPerSecond = frameRates[Math.floor((frameRates.length - 1) / 2)] ?? 0;
  const subscribers = await startSubscribers(wsUrl, SUBSCRIBERS);
  progress('latency');
  out.latency = await measureLatency(
    server.url,
    server.databaseUrl,
    Number(process.env.BENCH_LATENCY_ORDERS ?? 300),
  );
  await subscribers.stop();
  return out;
}
