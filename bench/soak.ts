/**
 * `npm run soak [-- --seconds N]` (default 60): a mixed workload against a real `signet serve` process, then one
 * table: requests, answers by status and code, p50/p99 latency, and the server's resident memory at start and
 * end. Expected: zero 5xx, memory flat within noise.
 *
 * Workload (12 concurrent clients): public reads, signed reads, orders (crossing, so trades happen), cancels,
 * withdrawals, key creation and revocation through the console API, replays of accepted orders (refused with
 * 401), and bad requests (bad signatures, deep bodies, bad parameters). Rate limits stay on, with limits set above
 * the load (otherwise one client address would be refused most of the run; the limits' own tests prove them).
 */
import { readFileSync } from 'node:fs';

import { createSignedRequest, type SignedRequestSpec } from '../src/client/signed-request.ts';
import { createSigner } from '../src/client/signer.ts';
import { createSubaccount, createUser } from '../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../src/exchange/config/market-config.ts';
import { createApiKey } from '../src/keys/keys-service.ts';
import { generateKeyPair } from '../src/protocol/ed25519-node.ts';
import { DEFAULT_MARKETS_FILE } from '../src/server/start-server.ts';
import { openStore } from '../src/store/create-database.ts';
import { startServerProcess } from './lib/server-process.ts';

const index = process.argv.indexOf('--seconds');
const seconds = index === -1 ? 60 : Number(process.argv[index + 1]);
if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number');

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

interface Trader {
  apiKey: string;
  sign: (message: string) => Promise<string>;
  side: 'Bid' | 'Ask';
}

const server = await startServerProcess({
  env: {
    SIGNET_RATE_LIMIT_SIGNED: '10000000',
    SIGNET_RATE_LIMIT_PUBLIC: '10000000',
    SIGNET_RATE_LIMIT_AUTH_FAILURES: '10000000',
    SIGNET_RATE_LIMIT_SIGN_IN: '10000000',
    SIGNET_RATE_LIMIT_HISTORY: '10000000',
    // The soak's withdrawals go to fresh addresses: the address book has its own tests.
    SIGNET_WITHDRAWAL_ADDRESSES: 'any',
  },
});
const counts = new Map<string, number>();
const latencies: number[] = [];
let requests = 0;
try {
  const db = await openStore(server.databaseUrl);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, { email: 'soak@example.com', password: 'soak password' });
  const traders: Trader[] = [];
  for (let i = 0; i < 6; i++) {
    const side = i % 2 === 0 ? 'Bid' : 'Ask';
    const sub = await createSubaccount(db, { userId: user.id, name: `trader ${i}` });
    await depositTestFunds(db, config, {
      userId: user.id,
      subaccountId: sub.id,
      symbol: 'USDC',
      quantity: '100000000',
    });
    await depositTestFunds(db, config, {
      userId: user.id,
      subaccountId: sub.id,
      symbol: 'SOL',
      quantity: '1000000',
    });
    const { key, secret } = await createApiKey(db, {
      userId: user.id,
      name: `soak ${i}`,
      subaccountId: sub.id,
    });
    traders.push({ apiKey: key.apiKey, sign: (await createSigner(secret as string)).sign, side });
  }
  await db.destroy();

  const record = (status: number, body: string) => {
    let code = '';
    try {
      code = (JSON.parse(body) as { code?: string }).code ?? '';
    } catch {
      // not JSON
    }
    const label = status < 300 ? `${status}` : `${status} ${code}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  };
  const call = async (path: string, init: RequestInit = {}) => {
    const started = performance.now();
    requests++;
    const res = await fetch(server.url + path, init);
    const body = await res.text();
    latencies.push(performance.now() - started);
    record(res.status, body);
    return { status: res.status, body };
  };
  const signed = async (trader: Trader, spec: SignedRequestSpec, tamper?: Record<string, string>) => {
    const prepared = await createSignedRequest(spec, { apiKey: trader.apiKey, sign: trader.sign });
    const init = {
      method: prepared.method,
      headers: { ...prepared.headers, ...tamper },
      body: prepared.body,
    };
    return { res: await call(prepared.pathWithQuery, init), init, path: prepared.pathWithQuery };
  };

  // A console session for key creation and revocation.
  const signup = await fetch(`${server.url}/console/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: server.url },
    body: JSON.stringify({ email: 'soak-console@example.com', password: 'soak console password' }),
  });
  const cookie = (signup.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await signup.json()) as { csrfToken: string };
  const consoleHeaders = {
    'content-type': 'application/json',
    origin: server.url,
    cookie,
    'x-csrf-token': csrfToken,
  };

  const resting: { trader: Trader; id: string }[] = [];
  const replayable: { path: string; init: RequestInit }[] = [];
  const memoryStart = rssMiB(server.child.pid as number);
  const deadline = Date.now() + seconds * 1000;
  let clientId = 0;

  const client = async () => {
    while (Date.now() < deadline) {
      const trader = traders[Math.floor(Math.random() * traders.length)] as Trader;
      const roll = Math.random();
      if (roll < 0.2) {
        const path = [
          '/api/v1/ticker?symbol=SOL_USDC',
          '/api/v1/depth?symbol=SOL_USDC',
          '/api/v1/trades?symbol=SOL_USDC',
          '/api/v1/markets',
        ][Math.floor(Math.random() * 4)] as string;
        await call(path);
      } else if (roll < 0.35) {
        await signed(trader, { method: 'GET', path: '/api/v1/capital' });
      } else if (roll < 0.65) {
        const price =
          trader.side === 'Bid'
            ? String(98 + Math.floor(Math.random() * 4))
            : String(99 + Math.floor(Math.random() * 4));
        const { res, init, path } = await signed(trader, {
          method: 'POST',
          path: '/api/v1/order',
          body: {
            symbol: 'SOL_USDC',
            side: trader.side,
            orderType: 'Limit',
            price,
            quantity: '0.01',
            clientId: ++clientId % 4_000_000_000,
          },
        });
        if (res.status === 200) {
          const order = JSON.parse(res.body) as { id: string; status: string };
          if (order.status === 'New') resting.push({ trader, id: order.id });
          if (replayable.length < 100) replayable.push({ path, init });
        }
      } else if (roll < 0.75 && resting.length > 0) {
        const { trader: owner, id } = resting.splice(Math.floor(Math.random() * resting.length), 1)[0]!;
        await signed(owner, {
          method: 'DELETE',
          path: '/api/v1/order',
          body: { symbol: 'SOL_USDC', orderId: id },
        });
      } else if (roll < 0.8) {
        await signed(trader, {
          method: 'POST',
          path: '/wapi/v1/capital/withdrawals',
          body: {
            symbol: 'USDC',
            blockchain: 'Ethereum',
            quantity: '20',
            address: '0x0ad42b8e602c2d3d475ae52d678cf63d84ab2749',
          },
        });
      } else if (roll < 0.83) {
        const created = await call('/console/api/keys', {
          method: 'POST',
          headers: consoleHeaders,
          body: JSON.stringify({
            name: `k${clientId}`,
            publicKey: generateKeyPair().apiKey,
            publicKeySource: 'browser',
          }),
        });
        const id = (JSON.parse(created.body) as { id?: string }).id;
        if (id) await call(`/console/api/keys/${id}`, { method: 'DELETE', headers: consoleHeaders });
      } else if (roll < 0.9 && replayable.length > 0) {
        const replay = replayable[Math.floor(Math.random() * replayable.length)]!;
        await call(replay.path, replay.init);
      } else {
        const bad = Math.floor(Math.random() * 4);
        if (bad === 0)
          await signed(
            trader,
            { method: 'GET', path: '/api/v1/capital' },
            { 'X-Signature': `${'A'.repeat(85)}A==` },
          );
        else if (bad === 1)
          await call('/api/v1/order', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: `{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`,
          });
        else if (bad === 2) await call('/api/v1/trades?symbol=SOL_USDC&offset=abc');
        else await call('/api/v1/%zz');
      }
    }
  };
  await Promise.all(Array.from({ length: 12 }, client));
  const memoryEnd = rssMiB(server.child.pid as number);

  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(1);
  const fiveXX = [...counts]
    .filter(([label]) => label.startsWith('5') && !label.startsWith('501'))
    .reduce((n, [, c]) => n + c, 0);
  console.log(`\nsoak: ${seconds} s, 12 clients`);
  console.log(`requests            ${requests} (${Math.round(requests / seconds)}/s)`);
  console.log(`latency             p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
  console.log(
    `server memory (RSS) ${memoryStart.toFixed(0)} MiB at start, ${memoryEnd.toFixed(0)} MiB at end`,
  );
  console.log(`5xx                 ${fiveXX}`);
  console.log('answers by status and code:');
  for (const [label, count] of [...counts].sort((a, b) => b[1] - a[1]))
    console.log(`  ${label.padEnd(36)} ${count}`);
  process.exitCode = fiveXX === 0 ? 0 : 1;
} finally {
  await server.stop();
}
