/**
 * Opens the store, builds the app and listens: what `signet serve` and `npm start` run, and what HTTP tests and
 * benchmarks start. Closing flushes pending last-use writes and usage counters before the database goes away.
 */
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';

import { consoleConfigFromEnv, type ConsoleConfig } from '../console/console-config.ts';
import {
  withdrawalAddressSettingsFromEnv,
  type WithdrawalAddressSettings,
} from '../exchange/capital/withdrawal-addresses.ts';
import { createExchange, type Exchange } from '../exchange/exchange-service.ts';
import { readMarketConfigFile } from '../exchange/config/market-config.ts';
import { ReplayGuard, replayOptionsFromEnv, type ReplayGuardOptions } from '../keys/replay-guard.ts';
import { SignedRequestVerifier } from '../keys/signed-request-verifier.ts';
import { DEFAULT_DATABASE_URL, openStore, type Store } from '../store/create-database.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import { RedisLink } from '../store/redis-link.ts';
import { rateLimitsFromEnv, type RateLimitConfig } from './rate-limit-config.ts';
import { trustedProxiesFromEnv } from './trusted-proxies.ts';

export interface ServerConfig {
  port: number;
  host: string;
  databaseUrl: string;
  /** Console settings (SIGNET_REQUIRE_2FA_FOR_KEYS); read from the environment when absent. */
  console?: ConsoleConfig;
  /** Path of the assets and markets file (SIGNET_MARKETS_FILE). */
  marketsFile?: string;
  /** SIGNET_WITHDRAWAL_ADDRESSES (book | any) and SIGNET_ADDRESS_COOLING_OFF; read from the environment when absent. */
  withdrawalAddresses?: WithdrawalAddressSettings;
  /** Optional Redis shared by every node for rate limits and replay refusal (REDIS_URL). */
  redisUrl?: string;
  /** Replay refusal scope and store size (SIGNET_REPLAY, SIGNET_REPLAY_MAX_ENTRIES). */
  replay?: Pick<ReplayGuardOptions, 'mode' | 'maxEntries'>;
  /** Rate limits (SIGNET_RATE_LIMITS and SIGNET_RATE_LIMIT_*). */
  rateLimits?: RateLimitConfig;
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

export const WITHDRAWAL_ADDRESSES_ANY_WARNING =
  'SIGNET_WITHDRAWAL_ADDRESSES=any: API keys may withdraw to ANY address, without the address book. ' +
  'Use this only for throwaway sandboxes.';

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  return {
    port: env.PORT ? Number(env.PORT) : 8080,
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL ?? DEFAULT_DATABASE_URL,
    console: consoleConfigFromEnv(env),
    marketsFile: env.SIGNET_MARKETS_FILE ?? DEFAULT_MARKETS_FILE,
    withdrawalAddresses: withdrawalAddressSettingsFromEnv(env),
    redisUrl: env.REDIS_URL?.trim() || undefined,
    replay: replayOptionsFromEnv(env),
    rateLimits: rateLimitsFromEnv(env),
    trustedProxies: trustedProxiesFromEnv(env, (message) =>
      process.emitWarning(message, 'DeprecationWarning'),
    ),
  };
}

export async function startServer(
  config: ServerConfig,
  options: BuildAppOptions = {},
): Promise<RunningServer> {
  const withdrawalAddresses = config.withdrawalAddresses ?? withdrawalAddressSettingsFromEnv(process.env);
  const markets = await readMarketConfigFile(config.marketsFile ?? DEFAULT_MARKETS_FILE);
  const db = await openStore(config.databaseUrl);
  const log = { warn: (m: string) => app.log.warn(m), info: (m: string) => app.log.info(m) };
  const redis = config.redisUrl === undefined ? undefined : new RedisLink(config.redisUrl, log);
  const replayGuard = new ReplayGuard({ ...config.replay, redis, log });
  const verifier = new SignedRequestVerifier(db, {
    onError: (error) => app.log.error({ err: error }, 'last-use write failed'),
    replayGuard,
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
      withdrawalAddresses,
    },
    {
      rateLimits: config.rateLimits,
      redis,
      ...options,
      trustProxy: options.trustProxy ?? config.trustedProxies,
    },
  );
  // Pending withdrawals are confirmed by this settlement step (any process may run it: it is idempotent).
  const stopSettlement = exchange.startWithdrawalSettlement({
    intervalMs: 1000,
    onError: (error) => app.log.error({ err: error }, 'withdrawal settlement failed'),
  });
  if (withdrawalAddresses.mode === 'any') {
    // A sandbox setting: said loudly at every start, so it is never left on by accident.
    app.log.warn(WITHDRAWAL_ADDRESSES_ANY_WARNING);
  }
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
      await redis?.close();
      await db.destroy();
    },
  };
}
