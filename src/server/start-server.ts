/**
 * Opens the store, builds the app and listens: what `signet serve` and `npm start` run, and what HTTP tests and
 * benchmarks start. Closing flushes pending last-use writes and usage counters before the database goes away.
 */
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';
import { Counter, Gauge } from 'prom-client';

import {
  defaultReplayHorizonFile,
  openKeyCache,
  ReplayGuard,
  replayOptionsFromEnv,
  SignedRequestVerifier,
  type KeyForDecision,
  type ReplayGuardOptions,
} from '../keys/index.ts';

import { consoleConfigFromEnv, type ConsoleConfig } from '../console/console-config.ts';
import {
  exchangeEnabledFromEnv,
  gatewayConfigFromEnv,
  verifyTokenFromEnv,
  type GatewayConfig,
} from '../gateway/index.ts';
import {
  createExchange,
  readMarketConfigFile,
  withdrawalAddressSettingsFromEnv,
  type Exchange,
  type WithdrawalAddressSettings,
} from '../exchange/index.ts';
import {
  announceResets,
  liquiditySettingsFromEnv,
  resetEveryFromEnv,
  startLiquidity,
  startResetSchedule,
  type LiquidityRunner,
  type LiquiditySettings,
} from '../liquidity/index.ts';
import { DEFAULT_DATABASE_URL, openStore, type Store } from '../store/create-database.ts';
import { databaseOutageOf, describeDatabaseError } from '../store/database-outage.ts';
import { buildApp, type BuildAppOptions } from './app.ts';
import { RedisLink } from '../store/redis-link.ts';
import { ClusterSharedClient } from './cluster-shared.ts';
import { rateLimitsFromEnv, type RateLimitConfig } from './rate-limit-config.ts';
import { trustedProxiesFromEnv } from './trusted-proxies.ts';
import { createReadinessProbe } from './readiness.ts';
import { createMetrics, type Metrics, type MetricsSources } from './metrics.ts';
import { Resources } from './resources.ts';
import { startStreamServer, type StreamLimits, type StreamServer } from './streams/stream-server.ts';

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
  replay?: Pick<ReplayGuardOptions, 'mode' | 'maxEntries' | 'subaccountShare' | 'horizonFile'>;
  /** Rate limits (SIGNET_RATE_LIMITS and SIGNET_RATE_LIMIT_*). */
  rateLimits?: RateLimitConfig;
  /** Peers allowed to report the client address (SIGNET_TRUSTED_PROXIES); none when absent. */
  trustedProxies?: string[];
  /** Cache key records in memory (SIGNET_KEY_CACHE=off disables); see keys/key-cache.ts. */
  keyCache?: boolean;
  /** Opens /metrics on the API port to `Authorization: Bearer <token>` (SIGNET_METRICS_TOKEN). */
  metricsToken?: string;
  /** host:port of a separate metrics listener without a token (SIGNET_METRICS_ADDRESS); see serve-process.ts. */
  metricsAddress?: string;
  /** WebSocket limits (docs/STREAMS.md); defaults apply to what is absent. */
  streams?: Partial<StreamLimits>;
  /**
   * In a worker of `signet serve --workers N`: share replay refusal and rate limits through the cluster primary
   * when Redis is absent or down (serve-process.ts, cluster-shared.ts). Absent: this process keeps its own.
   */
  clusterShared?: boolean;
  /**
   * In a worker of `signet serve --workers N`: listen on a socket of its own (host:port, usually 127.0.0.1:0)
   * instead of the cluster's; the primary hands it connections (cluster-connections.ts).
   */
  listenExclusive?: boolean;
  /** The built-in exchange (SIGNET_EXCHANGE=off turns it off: console, keys and gateway only); on when absent. */
  exchange?: boolean;
  /**
   * The built-in market makers (SIGNET_LIQUIDITY, default on from the environment); off when absent here, so a
   * server started in code (tests, benchmarks) has empty books unless it asks for makers.
   */
  liquidity?: LiquiditySettings;
  /** SIGNET_RESET_EVERY: the exchange resets itself this often (users and keys kept); never when absent. */
  resetEvery?: { every: string; everyMs: number };
  /** The operator's own API behind Signet (SIGNET_ROUTES, SIGNET_UPSTREAM...); no gateway routes when absent. */
  gateway?: GatewayConfig;
  /** Opens `/gateway/v1/keys` to embedded verifiers holding it (SIGNET_VERIFY_TOKEN); closed when absent. */
  verifyToken?: string;
  /**
   * Tests only: the clock of the signed-request path (its time window and the minute a request is counted in);
   * `Date.now` when absent. Lets a test send real signed requests "minutes apart" without waiting minutes.
   */
  signedRequestClock?: () => number;
}

export const DEFAULT_MARKETS_FILE = join(import.meta.dirname, '..', '..', 'config', 'markets.json');

export interface RunningServer {
  app: FastifyInstance;
  metrics: Metrics;
  db: Store;
  /** The built-in exchange; reading it throws when SIGNET_EXCHANGE=off. */
  exchange: Exchange;
  /** The signed-request verifier (its usage counters can be flushed on demand: tests). */
  verifier: SignedRequestVerifier;
  /** The WebSocket streams; reading them throws when the exchange is off (there are none). */
  streams: StreamServer;
  /** The market makers' runner of this process (SIGNET_LIQUIDITY); undefined when they are off. */
  liquidity: LiquidityRunner | undefined;
  url: string;
  /**
   * Stops the server. With `graceMs` it drains first: no new connections, requests in flight and requests arriving
   * on open connections are answered (with `Connection: close`), idle connections close after a short linger, and
   * whatever is still open when the grace ends is cut. Without it, idle connections are closed at once.
   */
  close: (options?: { graceMs?: number }) => Promise<void>;
}

export const WITHDRAWAL_ADDRESSES_ANY_WARNING =
  'SIGNET_WITHDRAWAL_ADDRESSES=any: API keys may withdraw to ANY address, without the address book. ' +
  'Use this only for throwaway sandboxes.';

/** `routesFile`: `signet serve --routes`, which overrides SIGNET_ROUTES. */
export function configFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  options: { routesFile?: string } = {},
): ServerConfig {
  const exchange = exchangeEnabledFromEnv(env);
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
    keyCache: env.SIGNET_KEY_CACHE !== 'off',
    metricsToken: env.SIGNET_METRICS_TOKEN || undefined,
    metricsAddress: env.SIGNET_METRICS_ADDRESS || undefined,
    streams: streamLimitsFromEnv(env),
    exchange,
    liquidity: liquiditySettingsFromEnv(env),
    resetEvery: resetEveryFromEnv(env),
    gateway: gatewayConfigFromEnv(env, { routesFile: options.routesFile, exchange }),
    verifyToken: verifyTokenFromEnv(env),
  };
}

/**
 * SIGNET_WS_MAX_CONNECTIONS_PER_ADDRESS, SIGNET_WS_MAX_SUBSCRIPTIONS: positive integers; SIGNET_WS_FLUSH_MS,
 * SIGNET_WS_SUBSCRIBE_MAX_AGE_MS: milliseconds, 0 or more; SIGNET_WS_MAX_TOTAL_BUFFERED: bytes, positive
 * (docs/STREAMS.md).
 */
function streamLimitsFromEnv(env: NodeJS.ProcessEnv): Partial<StreamLimits> {
  const limits: Partial<StreamLimits> = {};
  const read = (name: string, least = 1, digits = 7): number | undefined => {
    const value = env[name];
    if (value === undefined || value === '') return undefined;
    if (!new RegExp(`^\\d{1,${digits}}$`).test(value) || Number(value) < least) {
      throw new Error(`${name} must be ${least === 1 ? 'a positive integer' : 'a whole number'}`);
    }
    return Number(value);
  };
  const connections = read('SIGNET_WS_MAX_CONNECTIONS_PER_ADDRESS');
  const subscriptions = read('SIGNET_WS_MAX_SUBSCRIPTIONS');
  if (connections !== undefined) limits.maxConnectionsPerAddress = connections;
  if (subscriptions !== undefined) limits.maxSubscriptionsPerConnection = subscriptions;
  const flush = read('SIGNET_WS_FLUSH_MS', 0);
  if (flush !== undefined) limits.flushIntervalMs = flush;
  const subscribeMaxAge = read('SIGNET_WS_SUBSCRIBE_MAX_AGE_MS', 0);
  if (subscribeMaxAge !== undefined) limits.subscribeMaxAgeMs = subscribeMaxAge;
  const totalBuffered = read('SIGNET_WS_MAX_TOTAL_BUFFERED', 1, 15);
  if (totalBuffered !== undefined) limits.maxTotalBufferedBytes = totalBuffered;
  return limits;
}

/**
 * The file carrying the replay store's horizon across restarts (keys/replay-horizon.ts): SIGNET_REPLAY_HORIZON_FILE,
 * else one per database; none on an ephemeral port (port 0: tests and tools, nothing restarts as the same node).
 */
export function replayHorizonFileOf(config: ServerConfig): string | undefined {
  if (config.replay?.horizonFile !== undefined) return config.replay.horizonFile;
  if (config.port === 0) return undefined;
  return defaultReplayHorizonFile(config.databaseUrl);
}

/**
 * The composition root: opens each resource once, in dependency order, registering its closer as it goes
 * (resources.ts); closing runs them backwards. A start that fails half-way closes what it had opened.
 */
export async function startServer(
  config: ServerConfig,
  options: BuildAppOptions = {},
): Promise<RunningServer> {
  // The app's logger once it exists; listeners and probes may speak before (their errors must not throw).
  const started: { app?: FastifyInstance } = {};
  const logger = (): Pick<FastifyInstance['log'], 'error' | 'warn' | 'info'> =>
    started.app?.log ?? fallbackLogger;
  const resources = new Resources((name, error) => logger().error({ err: error }, `closing ${name} failed`));
  try {
    return await openServer(config, options, resources, started, logger);
  } catch (error) {
    await resources.closeAll();
    throw error;
  }
}

type Logger = () => Pick<FastifyInstance['log'], 'error' | 'warn' | 'info'>;

async function openServer(
  config: ServerConfig,
  options: BuildAppOptions,
  resources: Resources,
  started: { app?: FastifyInstance },
  logger: Logger,
): Promise<RunningServer> {
  const withdrawalAddresses = config.withdrawalAddresses ?? withdrawalAddressSettingsFromEnv(process.env);
  const markets = await readMarketConfigFile(config.marketsFile ?? DEFAULT_MARKETS_FILE);
  const log = { warn: (m: string) => logger().warn(m), info: (m: string) => logger().info(m) };
  const db = resources.add('database', await openStore(config.databaseUrl), (store) => store.destroy());
  const outage = resources.add('database outage watch', databaseOutageOf(db), (watched) => watched.close());
  resources.add(
    'database outage log',
    outage.watch({
      down: (error) =>
        logger().error(
          { err: describeDatabaseError(error) },
          'database unavailable: answering 503 with Retry-After until it can be written again',
        ),
      up: ({ downMs }) => logger().warn(`database available again after ${downMs} ms`),
    }),
    (stopWatching) => stopWatching(),
  );
  const redis =
    config.redisUrl === undefined
      ? undefined
      : resources.add('redis', new RedisLink(config.redisUrl, log), (link) => link.close());
  const shared =
    config.clusterShared === true
      ? resources.add('cluster shared state', new ClusterSharedClient(), (client) => client.close())
      : undefined;
  // The replay store's restart horizon is this process's when it holds the store (no cluster primary).
  const horizonFile = shared === undefined ? replayHorizonFileOf(config) : undefined;
  const replayGuard = new ReplayGuard({ ...config.replay, horizonFile, redis, shared, log });
  const metricsSources: MetricsSources = { db, replay: replayGuard };
  const metrics = createMetrics(metricsSources);
  const keyCache = resources.add(
    'key cache',
    await openKeyCache<KeyForDecision>(db, {
      databaseUrl: config.databaseUrl,
      enabled: config.keyCache ?? true,
      onError: (error) => {
        metrics.error('database', 'key-listener');
        logger().warn(
          { err: describeDatabaseError(error) },
          'key-change listener lost: keys are read from the database until it is back',
        );
      },
    }),
    (cache) => cache.close(),
  );
  metricsSources.keyCache = keyCache;
  // Closed before the key cache and the database: closing flushes pending last-use writes and usage counters.
  const verifier = resources.add(
    'signed-request verifier',
    new SignedRequestVerifier(db, {
      onError: (error) => {
        metrics.error('database', 'last-use');
        if (!outage.failed(error)) logger().error({ err: error }, 'last-use write failed');
      },
      keyCache,
      replayGuard,
      now: config.signedRequestClock,
    }),
    (opened) => opened.close(),
  );
  const exchangeEnabled = config.exchange !== false;
  const exchange = exchangeEnabled ? await createExchange({ db, config: markets, now: Date.now }) : undefined;
  const readiness = resources.add(
    'readiness probe',
    createReadinessProbe(db, { redisUrl: config.redisUrl, databaseUrl: config.databaseUrl }),
    (probe) => probe.close(),
  );
  const resetEvery = exchange !== undefined ? config.resetEvery : undefined;
  const app = await buildApp(
    {
      db,
      verifier,
      now: Date.now,
      markets,
      exchange,
      console: config.console ?? consoleConfigFromEnv(process.env),
      withdrawalAddresses,
      readiness,
      metrics,
      metricsToken: config.metricsToken,
      exchangeEnabled,
      gateway: config.gateway,
      verifyToken: config.verifyToken,
      resetSchedule: resetEvery && announceResets(db, resetEvery),
    },
    {
      rateLimits: config.rateLimits,
      redis,
      sharedCounters: shared?.counters,
      ...options,
      trustProxy: options.trustProxy ?? config.trustedProxies,
    },
  );
  started.app = app;
  resources.add('http server', app, (opened) => opened.close());
  if (exchange !== undefined) {
    // Pending withdrawals are confirmed by this settlement step (any process may run it: it is idempotent).
    resources.add(
      'withdrawal settlement',
      exchange.startWithdrawalSettlement({
        intervalMs: 1000,
        onError: (error) => {
          if (!outage.failed(error)) app.log.error({ err: error }, 'withdrawal settlement failed');
        },
      }),
      (stop) => stop(),
    );
  }
  if (resetEvery !== undefined) {
    resources.add(
      'reset schedule',
      startResetSchedule({ db, config: markets, ...resetEvery, log: app.log }),
      (schedule) => schedule.close(),
    );
  }
  if (withdrawalAddresses.mode === 'any') {
    // A sandbox setting: said loudly at every start, so it is never left on by accident.
    app.log.warn(WITHDRAWAL_ADDRESSES_ANY_WARNING);
  }
  const droppedConsumers = new Counter({
    name: 'signet_stream_consumers_dropped_total',
    help: "WebSocket consumers disconnected for passing a send-buffer bound (their own or the node's)",
    registers: [metrics.registry],
  });
  // No exchange, no streams: every stream is the exchange's (markets, and a key's orders and fills).
  const streams =
    exchange === undefined
      ? undefined
      : resources.add(
          'streams',
          await startStreamServer({
            app,
            db,
            exchange,
            verifier,
            databaseUrl: config.databaseUrl,
            redis,
            ...(config.streams ? { limits: config.streams } : {}),
            onConsumerDropped: () => droppedConsumers.inc(),
            trustProxy: options.trustProxy ?? config.trustedProxies,
          }),
          (server) => server.close(),
        );
  new Gauge({
    name: 'signet_stream_connections',
    help: 'Open WebSocket connections',
    registers: [metrics.registry],
    collect() {
      this.set(streams?.connections.size ?? 0);
    },
  });
  new Gauge({
    name: 'signet_stream_buffered_bytes',
    help: 'Bytes held for WebSocket consumers (queued or in socket buffers), all connections together',
    registers: [metrics.registry],
    collect() {
      this.set(streams?.bufferedBytes ?? 0);
    },
  });
  await app.listen({ port: config.port, host: config.host, exclusive: config.listenExclusive === true });
  // After listening: the makers' first orders reach streams that already take subscribers. Closed first.
  const liquidity =
    exchange !== undefined && config.liquidity?.enabled === true
      ? resources.add(
          'market makers',
          startLiquidity({ db, exchange, settings: config.liquidity, log: app.log }),
          (makers) => makers.close(),
        )
      : undefined;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    app,
    metrics,
    db,
    get exchange(): Exchange {
      if (exchange === undefined) throw new Error('The built-in exchange is off (SIGNET_EXCHANGE=off)');
      return exchange;
    },
    verifier,
    get streams(): StreamServer {
      if (streams === undefined)
        throw new Error('No streams: the built-in exchange is off (SIGNET_EXCHANGE=off)');
      return streams;
    },
    liquidity,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: async ({ graceMs }: { graceMs?: number } = {}) => {
      const timers = graceMs === undefined ? [] : drainConnections(app, graceMs);
      await resources.closeAll({ graceMs });
      for (const timer of timers) clearTimeout(timer);
    },
  };
}

/**
 * Node's server.close() closes idle keep-alive sockets at once, racing a client that is sending on one right now
 * (it would see a reset, not an answer). Give such clients a moment instead; every answer sent while closing
 * carries `Connection: close`, so busy connections end by themselves; whatever is open when the grace ends is cut.
 */
function drainConnections(app: FastifyInstance, graceMs: number): NodeJS.Timeout[] {
  const server = app.server;
  const closeIdle = server.closeIdleConnections.bind(server);
  server.closeIdleConnections = () => {};
  return [
    setTimeout(closeIdle, Math.min(1000, graceMs / 2)),
    setTimeout(() => server.closeAllConnections(), graceMs),
  ];
}

/** Where start-up speaks before the app (and its logger) exists. */
const fallbackLogger: Pick<FastifyInstance['log'], 'error' | 'warn' | 'info'> = {
  error: (...args: unknown[]) => console.error(...args),
  warn: (...args: unknown[]) => console.warn(...args),
  info: () => {},
} as unknown as Pick<FastifyInstance['log'], 'error' | 'warn' | 'info'>;
