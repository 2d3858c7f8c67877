/**
 * `buildApp(deps)`: the whole HTTP surface as a Fastify instance that never listens (tests use `inject()`,
 * `serve` calls `listen()`). Contexts are encapsulated: the signed Backpack API registers signature auth only
 * for itself; public market routes and docs have none.
 */
import { randomUUID } from 'node:crypto';

import Fastify, { type FastifyInstance } from 'fastify';

import { DEFAULT_CONSOLE_CONFIG } from '../console/console-config.ts';
import { confirmIdentity } from '../console/confirm-identity.ts';
import { consoleApi } from './plugins/console-api.ts';
import { consoleRoutes } from './routes/console/index.ts';
import { signedApi, type SignedRoute } from './plugins/signed-api.ts';
import { signedAuthentication } from './plugins/signed-auth.ts';
import { gatewayRoutes, keyEndpoint } from '../gateway/index.ts';
import { staticWeb } from './plugins/static-web.ts';
import {
  BODY_LIMIT_BYTES,
  handleClientError,
  handleFrameworkError,
  registerErrorHandling,
} from './plugins/error-handler.ts';
import { DEFAULT_HTTP_TIMEOUTS, httpServerOptions, type HttpTimeouts } from './http-timeouts.ts';
import { registerFiniteNumbers } from './plugins/finite-numbers.ts';
import { registerJsonBodyParser } from './plugins/json-body.ts';
import { registerRateLimits, type SharedCounters, type SignedLimits } from './plugins/rate-limits.ts';
import { DEFAULT_RATE_LIMITS, type RateLimitConfig } from './rate-limit-config.ts';
import { databaseOutageOf } from '../store/database-outage.ts';
import type { RedisLink } from '../store/redis-link.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { getAccountRoute } from './routes/account/get-account.ts';
import { getBorrowLimitRoute } from './routes/account/get-borrow-limit.ts';
import { getOrderLimitRoute } from './routes/account/get-order-limit.ts';
import { getWithdrawalLimitRoute } from './routes/account/get-withdrawal-limit.ts';
import { patchAccountRoute } from './routes/account/patch-account.ts';
import { getCollateralRoute } from './routes/capital/get-collateral.ts';
import { getBalancesRoute } from './routes/capital/get-balances.ts';
import { exchangeSignedRoutes } from './routes/exchange-routes.ts';
import { marketDataRoutes } from './routes/markets/market-data-routes.ts';
import { marketRoutes } from './routes/markets/get-markets.ts';
import { systemRoutes } from './routes/public/get-system.ts';
import {
  AddressBook,
  createExchange,
  DEFAULT_WITHDRAWAL_ADDRESS_SETTINGS,
  type Exchange,
} from '../exchange/index.ts';
import { healthRoutes } from './routes/public/get-health.ts';
import { createReadinessProbe } from './readiness.ts';
import { metricsRoute } from './routes/public/get-metrics.ts';
import { toBackpackBalances } from './views/backpack-wire.ts';
import type { AppDeps } from './deps.ts';

export interface BuildAppOptions {
  /** Pino logger options, or false (tests). Secrets never reach the log: no bodies, no auth headers. */
  logger?: boolean | { level: string };
  /**
   * Peers trusted to report the client address (X-Forwarded-For): a list of addresses/CIDR ranges
   * (trusted-proxies.ts). Empty or absent: the socket peer is the client. `true` trusts every peer (tests only).
   */
  trustProxy?: boolean | string[];
  /** Header, request and keep-alive timeouts against slow clients (http-timeouts.ts defaults when absent). */
  timeouts?: HttpTimeouts;
  /** Rate limits (rate-limit-config.ts); DEFAULT_RATE_LIMITS (on) when absent. */
  rateLimits?: RateLimitConfig;
  /** Shares rate limits between nodes when set (replay refusal gets it through the verifier). */
  redis?: RedisLink;
  /**
   * With workers: rate-limit counters kept by the cluster primary (cluster-shared.ts), used when Redis is absent or
   * down; replay refusal gets its share through the verifier.
   */
  sharedCounters?: SharedCounters;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The request id: the caller's (or proxy's) `X-Request-Id` when it is a plain token, else a fresh UUID. */
function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      options.logger === undefined || options.logger === false
        ? false
        : {
            ...(options.logger === true ? {} : options.logger),
            redact: ['req.headers["x-signature"]', 'req.headers.cookie'],
          },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy:
      Array.isArray(options.trustProxy) && options.trustProxy.length === 0
        ? false
        : (options.trustProxy ?? false),
    exposeHeadRoutes: false,
    // While shutting down, answer what arrives on open connections (with Connection: close) instead of a 503:
    // `serve` stops accepting first and drains within its grace (serve-process.ts).
    return503OnClosing: false,
    clientErrorHandler: handleClientError,
    frameworkErrors: handleFrameworkError,
    ...httpServerOptions(options.timeouts ?? DEFAULT_HTTP_TIMEOUTS),
    genReqId: requestId,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  // A lost database answers 503 with Retry-After, and its outage is logged once (database-outage.ts).
  const databaseOutage = databaseOutageOf(deps.db);
  registerErrorHandling(app, { databaseUnavailable: (error) => databaseOutage.failed(error) });
  // Every answer names its request id, so a client's report can be found in the logs (and across a proxy that
  // set X-Request-Id, under the proxy's id).
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  registerJsonBodyParser(app);
  registerFiniteNumbers(app);
  const signedLimits = await registerRateLimits(
    app,
    options.rateLimits ?? DEFAULT_RATE_LIMITS,
    options.redis,
    options.sharedCounters,
  );
  await registerOpenApi(app);

  const exchangeEnabled = deps.exchangeEnabled !== false;
  if (exchangeEnabled) await app.register(systemRoutes, { deps });
  await app.register(healthRoutes, { readiness: deps.readiness ?? createReadinessProbe(deps.db) });
  const { metrics } = deps;
  if (metrics) {
    app.addHook('onResponse', (request, reply, done) => {
      metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
      done();
    });
    if (deps.metricsToken) await app.register(metricsRoute, { metrics, token: deps.metricsToken });
  }
  const exchangeParts = exchangeEnabled ? await registerExchange(app, deps, signedLimits) : undefined;
  if (deps.gateway) {
    await app.register(gatewayRoutes, {
      config: deps.gateway,
      authenticate: signedAuthentication(deps, signedLimits),
      registry: metrics?.registry,
    });
  }
  if (deps.verifyToken) await app.register(keyEndpoint, { verifier: deps.verifier, token: deps.verifyToken });
  const consoleDeps = {
    db: deps.db,
    now: deps.now,
    config: deps.console ?? DEFAULT_CONSOLE_CONFIG,
    declaredPermissions: deps.gateway?.permissions ?? [],
    exchangeEnabled,
  };
  await app.register(consoleApi, {
    prefix: '/console/api',
    db: deps.db,
    now: deps.now,
    config: consoleDeps.config,
    routes: consoleRoutes(consoleDeps, exchangeParts),
  });
  await app.register(staticWeb);
  return app;
}

/** The built-in exchange's routes: public market data and the signed Backpack API. */
async function registerExchange(
  app: FastifyInstance,
  deps: AppDeps,
  signedLimits: SignedLimits | undefined,
): Promise<{ exchange: Exchange; addressBook: AddressBook }> {
  await app.register(marketRoutes, { markets: deps.markets });
  const exchange =
    deps.exchange ?? (await createExchange({ db: deps.db, config: deps.markets, now: deps.now }));
  await app.register(marketDataRoutes, { exchange });
  const addressBook = new AddressBook({
    db: deps.db,
    settings: deps.withdrawalAddresses ?? DEFAULT_WITHDRAWAL_ADDRESS_SETTINGS,
    confirmIdentity: (input) => confirmIdentity(deps.db, input),
  });
  const signedRoutes: SignedRoute[] = [
    getAccountRoute(exchange),
    patchAccountRoute(exchange),
    getBorrowLimitRoute(exchange),
    getWithdrawalLimitRoute(exchange),
    getOrderLimitRoute(exchange),
    getCollateralRoute(exchange),
    getBalancesRoute(async (subaccountId) =>
      toBackpackBalances(await exchange.readBalances(subaccountId), exchange.config),
    ),
    ...exchangeSignedRoutes(exchange, addressBook, deps.console?.keys),
  ];
  await app.register(signedApi, { deps, routes: signedRoutes, limits: signedLimits });
  return { exchange, addressBook };
}
