/**
 * Opens the store, builds the app and listens: what `signet serve` and `npm start` run, and what HTTP tests and
 * benchmarks start. Closing flushes pending last-use writes and usage counters before the database goes away.
 */
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { consoleConfigFromEnv, type ConsoleConfig } from '../console/console-config.ts';
import { createExchange, type Exchange } from '../exchange/exchange-service.ts';
import { readMarketConfigFile } from '../exchange/markets.ts';
import { SignedRequestVerifier } from '../keys/signed-request-verifier.ts';
import { DEFAULT_DATABASE_URL, openStore, type Store } from '../store/create-database.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import { trustedProxiesFromEnv } from './trusted-proxies.ts';

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Console settings (SIGNET_REQUIRE_2FA_FOR_KEYS); read from the environment when absent. */
  console?: ConsoleConfig;
  /** Path of the assets and markets file (SIGNET_MARKETS_FILE). */
  marketsFile?: string;
  /** Peers allowed to report the client address (SIGNET_TRUSTED_PROXIES); none when absent. */
  trustedProxies?: string[];
}

export const DEFAULT_MARKETS_FILE = join(import.meta.dirname, '..', '..', 'config', 'markets.json');

export interface RunningServer {
  app: FastifyInstance;
  db: Store;
  exchange: Exchange;
  /** The signed-request verifier (its usage counters can be flushed on demand: tests). */
  verifier: SignedRequestVerifier;
  url: string;
  close: () => Promise<void>;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    console: consoleConfigFromEnv(env),
    marketsFile: env.SIGNET_MARKETS_FILE ?? DEFAULT_MARKETS_FILE,
    trustedProxies: trustedProxiesFromEnv(env, (message) =>
      process.emitWarning(message, 'DeprecationWarning'),
    ),
  };
}

export async function startServer(
  config: ServerConfig,
  options: BuildAppOptions = {},
): Promise<RunningServer> {
  const markets = await readMarketConfigFile(config.marketsFile ?? DEFAULT_MARKETS_FILE);
  const db = await openStore(config.databaseUrl);
  const verifier = new SignedRequestVerifier(db, {
    onError: (error) => app.log.error({ err: error }, 'last-use write failed'),
  });
  const exchange = await createExchange({ db, config: markets, now: Date.now });
  const app = await buildApp(
    {
      db,
      verifier,
      now: Date.now,
      markets,
      exchange,
      console: config.console ?? consoleConfigFromEnv(process.env),
    },
    { ...options, trustProxy: options.trustProxy ?? config.trustedProxies },
  );
  // Pending withdrawals are confirmed by this settlement step (any process may run it: it is idempotent).
  const stopSettlement = exchange.startWithdrawalSettlement({
    intervalMs: 1000,
    onError: (error) => app.log.error({ err: error }, 'withdrawal settlement failed'),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    db,
    exchange,
    verifier,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: async () => {
      stopSettlement();
      await app.close();
      await verifier.close();
      await db.destroy();
    },
  };
}
