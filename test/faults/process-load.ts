/**
 * Load for the fault tests: traders placing signed orders and reading balances through real HTTP, over fresh and
 * kept-alive connections, with every request's fate recorded: an answer (its status), a refusal (the port was
 * closed: the connection never opened), a reset or early close (the client knows at once), or a hang (no answer
 * and no reset within `hangMs`: the defect these tests exist for).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createSubaccount, createUser } from '../../src/accounts/accounts-service.ts';
import { createSignedRequest } from '../../src/client/signed-request.ts';
import { createSigner, type Signer } from '../../src/client/signer.ts';
import { depositTestFunds } from '../../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../../src/exchange/config/market-config.ts';
import { createApiKey } from '../../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../../src/server/start-server.ts';
import { openStore } from '../../src/store/create-database.ts';

export interface Outcome {
  kind: 'answer' | 'refused' | 'reset' | 'hang';
  status?: number;
  /** The error code of a reset (ECONNRESET, socket hang up...). */
  code?: string;
  /** Whether the request went on a connection that had been answered before (keep-alive). */
  reused: boolean;
  startedAt: number;
  path: string;
}

/** A SQLite database in a fresh directory (or `inDir`) with `traders` funded subaccounts, each with an API key. */
export async function seedTraders(
  traders: number,
  inDir?: string,
): Promise<{ dir: string; databaseUrl: string; signers: Signer[] }> {
  const dir = inDir ?? mkdtempSync(join(tmpdir(), 'signet-faults-'));
  const databaseUrl = join(dir, 'faults.db');
  const db = await openStore(databaseUrl);
  const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const user = await createUser(db, { email: 'faults@example.com', password: 'long enough password' });
  const signers: Signer[] = [];
  for (let i = 0; i < traders; i++) {
    const sub = await createSubaccount(db, { userId: user.id, name: `t${i}` });
    for (const [symbol, quantity] of [
      ['USDC', '1000000'],
      ['SOL', '10000'],
    ] as const) {
      await depositTestFunds(db, config, { userId: user.id, subaccountId: sub.id, symbol, quantity });
    }
    const { secret } = await createApiKey(db, { userId: user.id, name: `t${i}`, subaccountId: sub.id });
    signers.push(await createSigner(secret!));
  }
  await db.destroy();
  return { dir, databaseUrl, signers };
}

/** One request; never rejects, and never waits longer than `hangMs` for its fate. */
export function send(
  url: string,
  options: {
    agent: Agent | false;
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: string;
    hangMs: number;
  },
): Promise<Outcome> {
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<Outcome, 'startedAt' | 'path' | 'reused'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, reused: req.reusedSocket, startedAt, path: options.path });
    };
    const req = httpRequest(
      url + options.path,
      { method: options.method, agent: options.agent, headers: options.headers },
      (res) => {
        res.resume();
        res.on('end', () => finish({ kind: 'answer', status: res.statusCode }));
        res.on('error', (error: NodeJS.ErrnoException) => finish({ kind: 'reset', code: error.code }));
      },
    );
    const timer = setTimeout(() => {
      finish({ kind: 'hang' });
      req.destroy();
    }, options.hangMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(
        error.code === 'ECONNREFUSED'
          ? { kind: 'refused', code: error.code }
          : { kind: 'reset', code: error.code ?? error.message },
      ),
    );
    req.end(options.body);
  });
}

export interface Load {
  outcomes: Outcome[];
  /** Stops the loops and resolves once every request sent has its fate. */
  stop: () => Promise<Outcome[]>;
}

/**
 * `loops` clients (at most one per signer), half on fresh connections and half on kept-alive ones, alternating a signed order (crossing
 * prices, so trades happen) and a signed balance read.
 */
export function startLoad(
  url: () => string,
  signers: Signer[],
  options: { loops?: number; hangMs?: number } = {},
): Load {
  const outcomes: Outcome[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 64 });
  let running = true;
  // One signer per loop: two loops signing the same balance read in the same millisecond would send one
  // signature twice, and replay refusal would rightly refuse the second.
  const loops = Array.from(
    { length: Math.min(options.loops ?? signers.length, signers.length) },
    async (_, i) => {
      const signer = signers[i % signers.length]!;
      for (let n = 0; running; n++) {
        const order = n % 2 === 0;
        const prepared = await createSignedRequest(
          order
            ? {
                method: 'POST',
                path: '/api/v1/order',
                body: {
                  symbol: 'SOL_USDC',
                  side: (i + n) % 4 < 2 ? 'Bid' : 'Ask',
                  orderType: 'Limit',
                  price: String(99 + ((i + n) % 3)),
                  quantity: '0.01',
                },
                window: 60_000,
              }
            : { method: 'GET', path: '/api/v1/capital', window: 60_000 },
          signer,
        );
        const outcome = await send(url(), {
          agent: i % 2 === 0 ? false : keepAlive,
          method: order ? 'POST' : 'GET',
          path: prepared.pathWithQuery,
          headers: order ? { ...prepared.headers, 'content-type': 'application/json' } : prepared.headers,
          body: prepared.body,
          hangMs: options.hangMs ?? 4000,
        });
        outcomes.push(outcome);
        if (outcome.kind !== 'answer') await new Promise((r) => setTimeout(r, 10));
      }
    },
  );
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      keepAlive.destroy();
      return outcomes;
    },
  };
}

/** The pids of a process's children (the workers of a `signet serve` primary). */
export async function childPids(pid: number): Promise<number[]> {
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

/** SIGKILL to a `signet serve` primary's workers, then to the primary (a worker already gone is skipped). */
export async function killProcessTree(child: ChildProcess): Promise<void> {
  for (const pid of await childPids(child.pid!).catch(() => [])) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  child.kill('SIGKILL');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
