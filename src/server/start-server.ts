/**
 * Opens the store, builds the app and listens: what `signet serve` and `npm start` run, and what HTTP tests and
 * benchmarks start. Closing flushes pending last-use writes before the database goes away.
 */
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { consoleConfigFromEnv, type ConsoleConfig } from '../console/console-config.ts';
import { createExchange, type Exchange } from '../exchange/exchange-service.ts';
import { readMarketConfigFile } from '../exchange/markets.ts';
import { SignedRequestVerifier } from '../keys/signed-request-verifier.ts';
import { DEFAULT_DATABASE_URL, openStore, type Store } from '../store/create-database.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import { startStreamServer, type StreamLimits, type StreamServer } from './streams/stream-server.ts';

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Console settings (SIGNET_REQUIRE_2FA_FOR_KEYS); read from the environment when absent. */
  console?: ConsoleConfig;
  /** Path of the assets and markets file (SIGNET_MARKETS_FILE). */
  marketsFile?: string;
  /** WebSocket limits (docs/STREAMS.md); defaults apply to what is absent. */
  streams?: Partial<StreamLimits>;
}

export const DEFAULT_MARKETS_FILE = join(import.meta.dirname, '..', '..', 'config', 'markets.json');

export interface RunningServer {
  app: FastifyInstance;
  db: Store;
  exchange: Exchange;
  streams: StreamServer;
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
    streams: streamLimitsFromEnv(env),
  };
}

/** SIGNET_WS_MAX_CONNECTIONS_PER_ADDRESS, SIGNET_WS_MAX_SUBSCRIPTIONS: positive integers (docs/STREAMS.md). */
function streamLimitsFromEnv(env: NodeJS.ProcessEnv): Partial<StreamLimits> {
  const limits: Partial<StreamLimits> = {};
  const read = (name: string): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    if (!/^\d{1,7}$/.test(value) || Number(value) < 1) throw new Error(`${name} must be a positive integer`);
    return Number(value);
  };
  const connections = read('SIGNET_WS_MAX_CONNECTIONS_PER_ADDRESS');
  const subscriptions = read('SIGNET_WS_MAX_SUBSCRIPTIONS');
  if (connections !== undefined) limits.maxConnectionsPerAddress = connections;
  if (subscriptions !== undefined) limits.maxSubscriptionsPerConnection = subscriptions;
  return limits;
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
    options,
  );
  // Pending withdrawals are confirmed by this settlement step (any process may run it: it is idempotent).
  const stopSettlement = exchange.startWithdrawalSettlement({
    intervalMs: 1000,
    onError: (error) => app.log.error({ err: error }, 'withdrawal settlement failed'),
  });
  const streams = await startStreamServer({
    app,
    db,
    exchange,
    verifier,
    databaseUrl: config.databaseUrl,
    ...(config.streams ? { limits: config.streams } : {}),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    db,
    exchange,
    streams,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: async () => {
      stopSettlement();
      await streams.close();
      await app.close();
      await verifier.lastUse.flush();
      await db.destroy();
    },
  };
}
