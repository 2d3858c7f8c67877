/**
 * `buildApp(deps)`: the whole HTTP surface as a Fastify instance that never listens (tests use `inject()`,
 * `serve` calls `listen()`). Contexts are encapsulated: the signed Backpack API registers signature auth only
 * for itself; public market routes and docs have none.
 */
import Fastify, { type FastifyInstance } from 'fastify';

import { DEFAULT_CONSOLE_CONFIG } from '../console/console-config.ts';
import { consoleApi } from './plugins/console-api.ts';
import { signedApi, type SignedRoute } from './plugins/signed-api.ts';
import { staticWeb } from './plugins/static-web.ts';
import { BODY_LIMIT_BYTES, handleClientError, registerErrorHandling } from './plugins/error-handler.ts';
import { registerJsonBodyParser } from './plugins/json-body.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { accountRoutes } from './routes/account/account-routes.ts';
import { getAccountRoute } from './routes/account/get-account.ts';
import { getBalancesRoute } from './routes/capital/get-balances.ts';
import { exchangeSignedRoutes } from './routes/exchange-routes.ts';
import { marketDataRoutes } from './routes/markets/market-data-routes.ts';
import { marketRoutes } from './routes/markets/get-markets.ts';
import { systemRoutes } from './routes/public/get-system.ts';
import { createExchange } from '../exchange/exchange-service.ts';
import { toBackpackBalances } from '../exchange/backpack-wire.ts';
import type { AppDeps } from './deps.ts';

export interface BuildAppOptions {
  /** Pino logger options, or false (tests). Secrets never reach the log: no bodies, no auth headers. */
  logger?: boolean | { level: string };
  trustProxy?: boolean;
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
    trustProxy: options.trustProxy ?? false,
    exposeHeadRoutes: false,
    clientErrorHandler: handleClientError,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  });
  registerErrorHandling(app);
  registerJsonBodyParser(app);
  await registerOpenApi(app);

  await app.register(systemRoutes, { deps });
  await app.register(marketRoutes, { markets: deps.markets });
  const exchange =
    deps.exchange ?? (await createExchange({ db: deps.db, config: deps.markets, now: deps.now }));
  await app.register(marketDataRoutes, { exchange });

  const signedRoutes: SignedRoute[] = [
    getAccountRoute(deps.db),
    ...accountRoutes(exchange, deps.now),
    getBalancesRoute(async (subaccountId) =>
      toBackpackBalances(await exchange.readBalances(subaccountId), exchange.config),
    ),
    ...exchangeSignedRoutes(exchange),
  ];
  await app.register(signedApi, { deps, routes: signedRoutes });
  await app.register(consoleApi, {
    prefix: '/console/api',
    db: deps.db,
    now: deps.now,
    config: deps.console ?? DEFAULT_CONSOLE_CONFIG,
    exchange,
  });
  await app.register(staticWeb);
  return app;
}
