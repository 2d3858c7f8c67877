/** `GET /console/api/exchange/assets`: the configured assets, with what the Deposit test funds form needs. */
import type { RouteOptions } from 'fastify';

import {
  capUnits,
  DEFAULT_SANDBOX_FUNDING,
  formatDecimal,
  MAX_DEPOSIT_UNITS,
} from '../../../exchange/index.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { exchangeAssetSchema, toExchangeAssetView } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function getExchangeAssetsRoute({ exchange, config }: ConsoleExchangeDeps): RouteOptions {
  const policy = config.sandboxDeposits ?? DEFAULT_SANDBOX_FUNDING;
  return schemaRoute({
    method: 'GET',
    url: '/exchange/assets',
    schema: {
      summary: 'Assets and their sandbox deposit networks',
      tags: ['Console'],
      response: { 200: { type: 'array', items: exchangeAssetSchema }, ...errorResponses },
    },
    handler: async (request) => {
      requireConsoleSession(request);
      // The form's maximum is the smaller of one deposit's hard cap and the operator's per-call cap.
      return exchange.config.assets.map((asset) => {
        const cap = capUnits(policy.maxPerCall, asset.decimals);
        const max = cap < MAX_DEPOSIT_UNITS ? cap : MAX_DEPOSIT_UNITS;
        return { ...toExchangeAssetView(asset), maxDeposit: formatDecimal(max, asset.decimals) };
      });
    },
  });
}
