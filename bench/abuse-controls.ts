/**
 * What the abuse controls cost: signed GET /api/v1/capital with rate limiting on, and signed POST /api/v1/order
 * with replay refusal (and rate limiting) on, each as a ratio of the same run's figure on a server with both off,
 * without and with Redis (REDIS_URL, the machine's 127.0.0.1:6379 unless BENCH_REDIS_URL says otherwise).
 *
 * Limits on the "on" servers are set far above the load (the cost of counting is measured, not refusals). Every
 * order is signed as it is sent (a fresh clientId, so a new signature), on every server alike, so the load
 * generator's signing cost is the same for both sides of each ratio.
 */
import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { signEd25519 } from '../src/protocol/ed25519-node.ts';
import { parseSecret } from '../src/protocol/key-encoding.ts';
import { formatSigningString, paramsFromObject } from '../src/protocol/signing-string.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { startServerProcess, type ServerProcess } from './lib/server-process.ts';
import { createCapitalRequests } from './capital-load.ts';
import { runLoad, type LoadRequest } from './lib/load.ts';

export interface ControlRow {
  name: string;
  value: string;
  note: string;
}

const OFF = { SIGNET_RATE_LIMITS: 'off', SIGNET_REPLAY: 'off' };
const ON = {
  SIGNET_RATE_LIMITS: 'on',
  SIGNET_RATE_LIMIT_SIGNED: '100000000',
  SIGNET_RATE_LIMIT_HISTORY: '100000000',
  SIGNET_RATE_LIMIT_PUBLIC: '100000000',
  SIGNET_RATE_LIMIT_AUTH_FAILURES: '100000000',
  SIGNET_REPLAY: 'mutating',
};

let clientId = 0;

/** Crossing Bid/Ask orders from funded pairs, each signed afresh as it is sent. */
async function freshOrderRequests(databaseUrl: string, pairs: number): Promise<LoadRequest[]> {
  const db = await openStore(databaseUrl);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, { email: `ctl-orders-${Date.now()}@example.com`, password: 'bench pw' });
  const out: LoadRequest[] = [];
  for (let i = 0; i < pairs; i++) {
    for (const [side, symbol, quantity] of [
      ['Bid', 'USDC', '100000000'],
      ['Ask', 'SOL', '1000000'],
    ] as const) {
      const sub = await createSubaccount(db, { userId: user.id, name: `${side} ${i}` });
      await depositTestFunds(db, config, { userId: user.id, subaccountId: sub.id, symbol, quantity });
      const { key, secret } = await createApiKey(db, {
        userId: user.id,
        name: `${side} ${i}`,
        subaccountId: sub.id,
      });
      const seed = parseSecret(secret!);
      if (!seed.ok) throw new Error(seed.message);
      const sign = (): { headers: Record<string, string>; body: string } => {
        clientId = (clientId + 1) % 4_294_967_295;
        const body = {
          symbol: 'SOL_USDC',
          side,
          orderType: 'Limit',
          price: '100',
          quantity: '0.01',
          clientId,
        };
        const timestamp = String(Date.now());
        const text = formatSigningString({
          instruction: 'orderExecute',
          segments: [paramsFromObject(body)],
          timestamp,
          window: '60000',
        });
        return {
          body: JSON.stringify(body),
          headers: {
            'Content-Type': 'application/json',
            'X-API-Key': key.apiKey,
            'X-Signature': signEd25519(text, seed.bytes),
            'X-Timestamp': timestamp,
            'X-Window': '60000',
          },
        };
      };
      out.push({
        method: 'POST',
        path: '/api/v1/order',
        ...sign(),
        setupRequest: (request) => ({ ...request, ...sign() }),
      });
    }
  }
  await db.destroy();
  return out;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

/** `workers` > 1: without Redis the counters and replay store are the cluster primary's (one IPC round trip). */
export async function benchAbuseControls(
  rounds: number,
  { workers = 1 }: { workers?: number } = {},
): Promise<ControlRow[]> {
  const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const servers: Record<'off' | 'on' | 'redis', ServerProcess> = {
    off: await startServerProcess({ env: OFF, workers }),
    on: await startServerProcess({ env: ON, workers }),
    redis: await startServerProcess({ env: { ...ON, REDIS_URL: redisUrl }, workers }),
  };
  try {
    const names = ['off', 'on', 'redis'] as const;
    const capital: Record<string, number[]> = { off: [], on: [], redis: [] };
    const orders: Record<string, number[]> = { off: [], on: [], redis: [] };
    // Signet's CPU per request (µs; Redis's own CPU not included): a second view of the same cost, which the
    // machine's other load disturbs less than req/s.
    const capitalCpu: Record<string, number[]> = { off: [], on: [], redis: [] };
    const ordersCpu: Record<string, number[]> = { off: [], on: [], redis: [] };
    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        const server = servers[name];
        const c = await runLoad(server.url, await createCapitalRequests(server.databaseUrl, 20), {
          warmupSeconds: round === 0 ? undefined : 1,
          serverPid: server.pid,
        });
        if (c.non2xx > 0) throw new Error(`capital on '${name}' had ${c.non2xx} non-2xx answers`);
        capital[name]!.push(c.requestsPerSecond);
        capitalCpu[name]!.push(c.cpuMicrosPerRequest ?? Number.NaN);
        const o = await runLoad(server.url, await freshOrderRequests(server.databaseUrl, 10), {
          warmupSeconds: round === 0 ? undefined : 1,
          serverPid: server.pid,
        });
        if (o.non2xx > 0) throw new Error(`orders on '${name}' had ${o.non2xx} non-2xx answers`);
        orders[name]!.push(o.requestsPerSecond);
        ordersCpu[name]!.push(o.cpuMicrosPerRequest ?? Number.NaN);
      }
    }
    const ratio = (series: Record<string, number[]>, name: 'on' | 'redis') =>
      series[name]!.map((value, i) => value / (series.off![i] as number));
    const pct = (r: number) => `${(r * 100).toFixed(0)} %`;
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    const row = (
      label: string,
      series: Record<string, number[]>,
      cpu: Record<string, number[]>,
      name: 'on' | 'redis',
    ): ControlRow => {
      const ratios = ratio(series, name);
      // CPU per request off / on: the share of the cost without the controls (100 % = they cost nothing).
      const cpuShare = median(cpu.off!) / median(cpu[name]!);
      return {
        name: label,
        value: pct(median(ratios)),
        note: `target >= 90 %; ${fmt(median(series[name]!))} vs ${fmt(median(series.off!))} req/s; rounds ${ratios
          .map(pct)
          .join(', ')}; server CPU per request ${median(cpu[name]!).toFixed(0)} vs ${median(cpu.off!).toFixed(
          0,
        )} us (${pct(cpuShare)})`,
      };
    };
    return [
      row('capital (signed), rate limits on / off', capital, capitalCpu, 'on'),
      row('capital (signed), rate limits on via Redis / off', capital, capitalCpu, 'redis'),
      row('order (signed, fresh), replay + limits on / off', orders, ordersCpu, 'on'),
      row('order (signed, fresh), replay + limits via Redis / off', orders, ordersCpu, 'redis'),
    ];
  } finally {
    for (const server of Object.values(servers)) await server.stop();
  }
}
