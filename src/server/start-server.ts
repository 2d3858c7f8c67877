/**
 * Opens the store, builds the app and listens: what `signet serve` and `npm start` run, and what HTTP tests and
 * benchmarks start. Closing flushes pending last-use writes before the database goes away.
 */
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { consoleConfigFromEnv, type ConsoleConfig } from '../console/console-config.ts';
import { readMarketConfigFile } from '../exchange/markets.ts';
import { SignedRequestVerifier } from '../keys/signed-request-verifier.ts';
import { DEFAULT_DATABASE_URL, openStore, type Store } from '../store/create-database.ts';
import { buildApp, type BuildAppOptions } from './app.ts';

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Console settings (SIGNET_REQUIRE_2FA_FOR_KEYS); read from the environment when absent. */
  console?: ConsoleConfig;
  /** Path of the assets and markets file (SIGNET_MARKETS_FILE). */
  marketsFile?: string;
}

export const DEFAULT_MARKETS_FILE = join(import.meta.dirname, '..', '..', 'config', 'markets.json');

export interface RunningServer {
  app: FastifyInstance;
  db: Store;
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
  const app = await buildApp(
    { db, verifier, now: Date.now, markets, console: config.console ?? consoleConfigFromEnv(process.env) },
    options,
  );
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    db,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: async () => {
      await app.close();
      await verifier.lastUse.flush();
      await db.destroy();
    },
  };
}
