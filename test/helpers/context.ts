/**
 * A real Signet for tests: a fresh SQLite file under the OS temp dir, migrations applied, the real app, a user with
 * a main account and a second subaccount, and keys created through the keys service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { freshTimestamp } from './fresh-timestamp.ts';
import { createSignedRequest, type SignedRequestSpec } from '../../src/client/signed-request.ts';
import { createSigner } from '../../src/client/signer.ts';
import {
  createSubaccount,
  createUser,
  type Subaccount,
  type User,
} from '../../src/accounts/accounts-service.ts';
import { createApiKey, type CreateApiKeyInput } from '../../src/keys/keys-service.ts';
import { SignedRequestVerifier } from '../../src/keys/signed-request-verifier.ts';
import { ReplayGuard, type ReplayGuardOptions } from '../../src/keys/replay-guard.ts';
import { buildApp } from '../../src/server/app.ts';
import { RATE_LIMITS_OFF, type RateLimitConfig } from '../../src/server/rate-limit-config.ts';
import { openStore, type Store } from '../../src/store/create-database.ts';
import { createExchange, type Exchange } from '../../src/exchange/exchange-service.ts';
import { readMarketConfigFile } from '../../src/exchange/config/market-config.ts';
import { DEFAULT_MARKETS_FILE } from '../../src/server/start-server.ts';
import type { WithdrawalAddressSettings } from '../../src/exchange/capital/withdrawal-addresses.ts';
import { allowWithdrawalAddress } from './address-book.ts';

export interface TestKey {
  apiKey: string;
  secret: string;
}

export interface TestContext {
  db: Store;
  app: FastifyInstance;
  verifier: SignedRequestVerifier;
  exchange: Exchange;
  dir: string;
  clock: { now: number };
  /** Creates a user with a main account. */
  createUser: (email?: string) => Promise<User>;
  createSubaccount: (user: User, name: string) => Promise<Subaccount>;
  /** Creates a server-generated key (the operator path) and returns its pair. */
  createKey: (
    user: User,
    options?: Omit<CreateApiKeyInput, 'userId' | 'name'> & { name?: string },
  ) => Promise<TestKey & { id: string }>;
  /** Sends a request through the context's transport: `app.inject()`, or real HTTP to the listening app. */
  send: (request: RawRequest) => Promise<LightMyRequestResponse>;
  /** Signs `spec` with `key` at the context clock and sends it. */
  signed: (
    key: TestKey,
    spec: SignedRequestSpec,
    options?: { headers?: Record<string, string>; localAddress?: string },
  ) => Promise<LightMyRequestResponse>;
  /**
   * Puts `address` in the user's withdrawal address book, allowed for API withdrawals with its cooling-off
   * already passed (as an operator would with `signet addresses add --api` and SIGNET_ADDRESS_COOLING_OFF=0).
   */
  allowWithdrawalAddress: (user: User, blockchain: string, address: string) => Promise<void>;
  close: () => Promise<void>;
}

export interface RawRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  payload?: string;
  /** HTTP transport only: the client socket's source address (e.g. 127.0.0.2), to test per-address rules. */
  localAddress?: string;
}

export type Transport = 'inject' | 'http';

let counter = 0;

/** Real HTTP through a socket, answered in inject()'s shape so one test body serves both transports. */
async function sendOverHttp(baseUrl: string, request: RawRequest): Promise<LightMyRequestResponse> {
  if (request.localAddress !== undefined) return sendFromAddress(baseUrl, request);
  const response = await fetch(baseUrl + request.url, {
    method: request.method,
    headers: request.headers,
    body: request.payload,
  });
  const body = await response.text();
  return {
    statusCode: response.status,
    body,
    headers: Object.fromEntries([...(response.headers as unknown as Iterable<[string, string]>)]),
    json: () => JSON.parse(body) as unknown,
  } as unknown as LightMyRequestResponse;
}

/** Real HTTP with the client socket bound to `request.localAddress` (node:http, since fetch cannot bind). */
function sendFromAddress(baseUrl: string, request: RawRequest): Promise<LightMyRequestResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      baseUrl + request.url,
      { method: request.method, headers: request.headers, localAddress: request.localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          resolve({
            statusCode: res.statusCode,
            body,
            headers: res.headers,
            json: () => JSON.parse(body) as unknown,
          } as unknown as LightMyRequestResponse);
        });
      },
    );
    req.on('error', reject);
    req.end(request.payload);
  });
}

export async function createTestContext(
  options: {
    transport?: Transport;
    trustProxy?: boolean | string[];
    withdrawalAddresses?: WithdrawalAddressSettings;
    rateLimits?: RateLimitConfig;
    /** The replay store's settings (size, share, Redis); the defaults when absent. */
    replay?: ReplayGuardOptions;
  } = {},
): Promise<TestContext> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-test-'));
  const db = await openStore(join(dir, 'signet.db'));
  const clock = { now: Date.now() };
  const verifier = new SignedRequestVerifier(db, {
    now: () => clock.now,
    ...(options.replay === undefined ? {} : { replayGuard: new ReplayGuard(options.replay) }),
  });
  const markets = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const exchange = await createExchange({ db, config: markets, now: () => clock.now });
  // Limits off: these tests send thousands of requests about other things; limits have their own tests.
  const app = await buildApp(
    {
      db,
      verifier,
      now: () => clock.now,
      markets,
      exchange,
      withdrawalAddresses: options.withdrawalAddresses,
    },
    {
      rateLimits: options.rateLimits ?? RATE_LIMITS_OFF,
      trustProxy: options.trustProxy,
      redis: options.replay?.redis,
    },
  );
  const baseUrl = options.transport === 'http' ? await app.listen({ port: 0, host: '127.0.0.1' }) : undefined;
  const send = (request: RawRequest): Promise<LightMyRequestResponse> =>
    baseUrl === undefined
      ? app.inject({
          method: request.method as 'GET',
          url: request.url,
          headers: request.headers,
          payload: request.payload,
        })
      : sendOverHttp(baseUrl, request);

  return {
    db,
    app,
    verifier,
    exchange,
    dir,
    clock,
    send,
    createUser: (email) =>
      createUser(db, {
        email: email ?? `user${++counter}-${Date.now()}@example.com`,
        password: 'correct horse',
      }),
    createSubaccount: (user, name) => createSubaccount(db, { userId: user.id, name }),
    createKey: async (user, options = {}) => {
      const created = await createApiKey(db, {
        userId: user.id,
        name: `key ${++counter}`,
        now: clock.now,
        ...options,
      });
      return { id: created.key.id, apiKey: created.key.apiKey, secret: created.secret as string };
    },
    signed: async (key, spec, options = {}) => {
      const signer = await createSigner(key.secret);
      const prepared = await createSignedRequest(
        { timestamp: freshTimestamp(clock.now), ...spec },
        { apiKey: key.apiKey, sign: signer.sign },
      );
      return send({
        method: prepared.method,
        url: prepared.pathWithQuery,
        headers: { ...prepared.headers, ...options.headers },
        payload: prepared.body,
        localAddress: options.localAddress,
      });
    },
    allowWithdrawalAddress: (user, blockchain, address) =>
      allowWithdrawalAddress(db, { userId: user.id, blockchain, address, now: clock.now }),
    close: async () => {
      await app.close();
      await verifier.close();
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
