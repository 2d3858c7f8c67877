/**
 * A real Signet for console API tests: a fresh SQLite file, the real app (optionally with console settings), a
 * controllable clock, and `ConsoleAgent`s that behave like browsers: they keep the session cookie, send the CSRF
 * token they were given, and come from one IP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

import { freshTimestamp } from './fresh-timestamp.ts';
import { createSignedRequest, type SignedRequestSpec } from '../../src/client/signed-request.ts';
import { createSigner } from '../../src/client/signer.ts';
import type { ConsoleConfig } from '../../src/console/console-config.ts';
import { generateTotpCode } from '../../src/console/two-factor.ts';
import { SignedRequestVerifier } from '../../src/keys/signed-request-verifier.ts';
import { generateKeyPair } from '../../src/protocol/ed25519-node.ts';
import { readMarketConfigFile } from '../../src/exchange/config/market-config.ts';
import { buildApp, type BuildAppOptions } from '../../src/server/app.ts';
import { RATE_LIMITS_OFF } from '../../src/server/rate-limit-config.ts';
import { DEFAULT_MARKETS_FILE } from '../../src/server/start-server.ts';
import type { WithdrawalAddressSettings } from '../../src/exchange/capital/withdrawal-addresses.ts';
import { openStore, type Store } from '../../src/store/create-database.ts';

export const PASSWORD = 'correct horse battery';
export const HOST = 'localhost:80';
export const ORIGIN = 'http://localhost:80';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface AgentRequest {
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the CSRF token on a state-changing request (default true). */
  csrf?: boolean;
}

export class ConsoleAgent {
  cookie: string | undefined;
  csrfToken: string | undefined;

  constructor(
    private readonly app: FastifyInstance,
    readonly ip: string,
  ) {}

  async request(method: Method, path: string, options: AgentRequest = {}): Promise<LightMyRequestResponse> {
    const headers: Record<string, string> = {
      origin: ORIGIN,
      'user-agent': 'vitest-agent',
      ...options.headers,
    };
    // An empty string removes a default header (e.g. `origin: ''` for a request without Origin).
    for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
    if (this.cookie) headers.cookie = `signet_session=${this.cookie}`;
    if (method !== 'GET' && options.csrf !== false && this.csrfToken)
      headers['x-csrf-token'] = this.csrfToken;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await this.app.inject({
      method,
      url: `/console/api${path}`,
      headers,
      remoteAddress: this.ip,
      payload: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const set = response.cookies.find((c) => c.name === 'signet_session');
    if (set) this.cookie = set.value === '' || set.maxAge === 0 ? undefined : set.value;
    const body = String(response.headers['content-type'] ?? '').includes('json')
      ? (response.json() as object)
      : {};
    if ('csrfToken' in body && typeof body.csrfToken === 'string') this.csrfToken = body.csrfToken;
    return response;
  }

  signUp(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
    return this.request('POST', '/auth/signup', { body: { email, password } });
  }

  logIn(email: string, password = PASSWORD, totpCode?: string): Promise<LightMyRequestResponse> {
    return this.request('POST', '/auth/login', { body: { email, password, totpCode } });
  }
}

export interface ConsoleTestContext {
  db: Store;
  /** The SQLite file: another context opened on it is another "process" sharing the database. */
  databasePath: string;
  app: FastifyInstance;
  verifier: SignedRequestVerifier;
  clock: { now: number };
  /** A new browser-like agent from `ip` (a fresh address per agent by default). */
  agent: (ip?: string) => ConsoleAgent;
  /** An agent that has signed up as a fresh user. */
  signedUpAgent: (ip?: string) => Promise<{ agent: ConsoleAgent; email: string }>;
  /** Turns 2FA on for the agent's user; returns the TOTP secret. */
  enableTwoFactor: (agent: ConsoleAgent) => Promise<string>;
  /** A current TOTP code for `secret`, `steps` periods from now (+1 gives a code not yet spent). */
  totpCode: (secret: string, steps?: number) => string;
  /** Creates a key through the console with a pair made here (as the browser would); returns the pair. */
  createKey: (
    agent: ConsoleAgent,
    body?: Record<string, unknown>,
  ) => Promise<{ response: LightMyRequestResponse; apiKey: string; secret: string }>;
  /** Signs `spec` with the pair and injects it into the Backpack API. */
  signed: (
    key: { apiKey: string; secret: string },
    spec: SignedRequestSpec,
  ) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
}

let counter = 0;

export async function createConsoleTestContext(
  options: {
    console?: ConsoleConfig;
    app?: BuildAppOptions;
    databasePath?: string;
    withdrawalAddresses?: WithdrawalAddressSettings;
  } = {},
): Promise<ConsoleTestContext> {
  const dir = options.databasePath ? undefined : mkdtempSync(join(tmpdir(), 'signet-console-'));
  const databasePath = options.databasePath ?? join(dir as string, 'signet.db');
  const db = await openStore(databasePath);
  const clock = { now: Date.now() };
  const verifier = new SignedRequestVerifier(db, { now: () => clock.now });
  const markets = await readMarketConfigFile(DEFAULT_MARKETS_FILE);
  const app = await buildApp(
    {
      db,
      verifier,
      now: () => clock.now,
      markets,
      console: options.console,
      withdrawalAddresses: options.withdrawalAddresses,
    },
    // Limits off unless a test sets them: sign-in throttling and the like have their own counters and tests.
    { rateLimits: RATE_LIMITS_OFF, ...options.app },
  );

  const agent = (ip?: string): ConsoleAgent =>
    new ConsoleAgent(app, ip ?? `10.0.${++counter % 250}.${counter % 250}`);
  const totpCode = (secret: string, steps = 0): string =>
    generateTotpCode(secret, clock.now + steps * 30_000);

  return {
    db,
    databasePath,
    app,
    verifier,
    clock,
    agent,
    totpCode,
    signedUpAgent: async (ip) => {
      const fresh = agent(ip);
      const email = `person${++counter}-${Date.now()}@example.com`;
      const response = await fresh.signUp(email);
      if (response.statusCode !== 201) throw new Error(`signup failed: ${response.body}`);
      return { agent: fresh, email };
    },
    enableTwoFactor: async (target) => {
      const setup = await target.request('POST', '/2fa/setup');
      const { secret } = setup.json<{ secret: string }>();
      const enabled = await target.request('POST', '/2fa/enable', { body: { code: totpCode(secret) } });
      if (enabled.statusCode !== 200) throw new Error(`2fa enable failed: ${enabled.body}`);
      return secret;
    },
    createKey: async (target, body = {}) => {
      const pair = generateKeyPair();
      const response = await target.request('POST', '/keys', {
        body: { name: `key ${++counter}`, publicKey: pair.apiKey, publicKeySource: 'browser', ...body },
      });
      return { response, ...pair };
    },
    signed: async (key, spec) => {
      const signer = await createSigner(key.secret);
      const prepared = await createSignedRequest({ timestamp: freshTimestamp(clock.now), ...spec }, signer);
      return app.inject({
        method: prepared.method as Method,
        url: prepared.pathWithQuery,
        headers: prepared.headers,
        payload: prepared.body,
      });
    },
    close: async () => {
      await app.close();
      await verifier.close();
      await db.destroy();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
