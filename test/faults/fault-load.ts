/**
 * What every fault case needs: an account with traders and spare keys made through the services, a console
 * session over real HTTP, a load of crossing orders whose acknowledgements are recorded, and the checks afterwards
 * (every acknowledged order is in the database, `signet audit` passes). The cases say what they break.
 */
import { createSignedRequest, type SignedRequestSpec } from '../../src/client/signed-request.ts';
import { createSigner } from '../../src/client/signer.ts';
import { createSubaccount, createUser } from '../../src/accounts/accounts-service.ts';
import { depositTestFunds } from '../../src/exchange/capital/deposit-service.ts';
import { readMarketConfigFile } from '../../src/exchange/config/market-config.ts';
import { createApiKey } from '../../src/keys/keys-service.ts';
import { DEFAULT_MARKETS_FILE } from '../../src/server/start-server.ts';
import { openStore } from '../../src/store/create-database.ts';
import { signetCli } from '../helpers/signed-fetch.ts';

export interface Trader {
  apiKey: string;
  keyId: string;
  side: 'Bid' | 'Ask';
  sign: (message: string) => Promise<string>;
}

export interface FaultAccount {
  email: string;
  password: string;
  /** A buyer and a seller with funds (subaccount keys). */
  traders: Trader[];
  /** Keys the case may revoke or edit (each can sign a read). */
  spares: Trader[];
}

/** Seeds the account straight into the database at `databaseUrl` (migrating it), before any server runs. */
export async function seedFaultAccount(
  databaseUrl: string,
  options: { spares: number },
): Promise<FaultAccount> {
  const db = await openStore(databaseUrl);
  try {
    const config = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
    const email = `faults-${Date.now()}@example.com`;
    const password = 'a long fault password';
    const user = await createUser(db, { email, password });
    const traders: Trader[] = [];
    for (const [name, side, symbol] of [
      ['buyer', 'Bid', 'USDC'],
      ['seller', 'Ask', 'SOL'],
    ] as const) {
      const sub = await createSubaccount(db, { userId: user.id, name });
      await depositTestFunds(db, config, {
        userId: user.id,
        subaccountId: sub.id,
        symbol,
        quantity: symbol === 'USDC' ? '1000000' : '10000',
      });
      const { key, secret } = await createApiKey(db, { userId: user.id, name, subaccountId: sub.id });
      traders.push({
        apiKey: key.apiKey,
        keyId: key.id,
        side,
        sign: (await createSigner(secret as string)).sign,
      });
    }
    const spares: Trader[] = [];
    for (let i = 0; i < options.spares; i++) {
      const { key, secret } = await createApiKey(db, { userId: user.id, name: `spare ${i}` });
      spares.push({
        apiKey: key.apiKey,
        keyId: key.id,
        side: 'Bid',
        sign: (await createSigner(secret as string)).sign,
      });
    }
    return { email, password, traders, spares };
  } finally {
    await db.destroy();
  }
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

/** One signed request; a refused connection or a reset is status 0 (the case decides what that means). */
export async function sendSigned(baseUrl: string, trader: Trader, spec: SignedRequestSpec): Promise<Answer> {
  const prepared = await createSignedRequest(spec, { apiKey: trader.apiKey, sign: trader.sign });
  try {
    const res = await fetch(baseUrl + prepared.pathWithQuery, {
      method: prepared.method,
      headers: prepared.headers,
      body: prepared.body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: parseBody(text), headers: res.headers };
  } catch {
    return { status: 0, body: {}, headers: new Headers() };
  }
}

function parseBody(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

export interface ConsoleSession {
  call(path: string, init?: { method?: string; body?: unknown }): Promise<Answer>;
}

/** Signs in to the console of `baseUrl` as the account's owner. */
export async function consoleSession(baseUrl: string, account: FaultAccount): Promise<ConsoleSession> {
  const login = await fetch(`${baseUrl}/console/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  if (login.status !== 200) throw new Error(`console login answered ${login.status}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return {
    call: async (path, init = {}) => {
      try {
        const res = await fetch(`${baseUrl}/console/api${path}`, {
          method: init.method ?? 'GET',
          headers: { 'content-type': 'application/json', origin: baseUrl, cookie, 'x-csrf-token': csrfToken },
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          signal: AbortSignal.timeout(15_000),
        });
        return { status: res.status, body: parseBody(await res.text()), headers: res.headers };
      } catch {
        return { status: 0, body: {}, headers: new Headers() };
      }
    },
  };
}

/** Every answer's status, counted, plus the acknowledged orders. */
export class LoadRecord {
  readonly statuses = new Map<number, number>();
  readonly ackedOrders = new Set<string>();
  /** Bodies of answers of 500 and up, for the failure message. */
  readonly serverErrors: string[] = [];

  count(answer: Answer, what: string): void {
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    if (answer.status >= 500 && this.serverErrors.length < 20) {
      this.serverErrors.push(`${what} ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  }

  countOf(predicate: (status: number) => boolean): number {
    return [...this.statuses].filter(([status]) => predicate(status)).reduce((n, [, c]) => n + c, 0);
  }
}

let clientId = 0;

/** Crossing limit orders from the traders against `urls` (round robin) until `stop.now`. */
export async function orderLoad(
  urls: string[],
  traders: Trader[],
  record: LoadRecord,
  stop: { now: boolean },
): Promise<void> {
  let turn = 0;
  while (!stop.now) {
    const trader = traders[turn % traders.length] as Trader;
    const url = urls[turn % urls.length] as string;
    turn += 1;
    const price = String(trader.side === 'Bid' ? 98 + (turn % 4) : 99 + (turn % 4));
    const answer = await sendSigned(url, trader, {
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
    record.count(answer, 'order');
    if (answer.status === 200) record.ackedOrders.add(String(answer.body.id));
    // Refused while the database is away: do not spin.
    if (answer.status !== 200) await new Promise((r) => setTimeout(r, 20));
  }
}

/** The acknowledged orders the database at `databaseUrl` does not hold. */
export async function missingOrders(databaseUrl: string, acked: Set<string>): Promise<string[]> {
  const db = await openStore(databaseUrl);
  try {
    const ids = new Set((await db.selectFrom('orders').select('id').execute()).map((o) => String(o.id)));
    return [...acked].filter((id) => !ids.has(id));
  } finally {
    await db.destroy();
  }
}

/** `signet audit --json` on the database: balances, locks and conservation. */
export async function audit(databaseUrl: string): Promise<{ ok: boolean; problems: unknown[] }> {
  return JSON.parse(await signetCli(['audit', '--json', '--database', databaseUrl])) as {
    ok: boolean;
    problems: unknown[];
  };
}
