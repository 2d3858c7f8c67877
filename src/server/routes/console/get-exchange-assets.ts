/** `GET /console/api/exchange/assets`: the configured assets, with what the Deposit test funds form needs. */
import type { RouteOptions } from 'fastify';

import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { exchangeAssetSchema, toExchangeAssetView } from '../../views/console-exchange-views.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeAssetsRoute({ exchange }: ConsoleRouteDeps): RouteOptions {
  return {
    method: 'GET',
    url: '/exchange/assets',
    schema: {
      summary: 'Assets and their sandbox deposit networks',
      tags: ['Console'],
      response: { 200: { type: 'array', items: exchangeAssetSchema }, ...errorResponses },
    },
    handler: async (request) => {
      requireConsoleSession(request);
      return exchange.config.assets.map(toExchangeAssetView);
    },
  };
}
