/**
 * Public market data as one plugin: tickers, depth, trades and klines (no authentication, like Backpack).
 * Market metadata (assets, markets, market) lives in get-markets.ts.
 */
import type { FastifyInstance } from 'fastify';

import type { Exchange } from '../../../exchange/index.ts';
import type { SchemaTypes } from '../../schema-types.ts';
import { registerDepthRoute } from './get-depth.ts';
import { registerKlinesRoute } from './get-klines.ts';
import { registerTickerRoutes } from './get-tickers.ts';
import { registerTradeRoutes } from './get-trades.ts';
import { registerEmptyPublicLists } from '../unused/empty-answers.ts';

export async function marketDataRoutes(app: FastifyInstance, options: { exchange: Exchange }): Promise<void> {
  const typed = app.withTypeProvider<SchemaTypes>();
  registerTickerRoutes(typed, options.exchange);
  registerDepthRoute(typed, options.exchange);
  registerTradeRoutes(typed, options.exchange);
  registerKlinesRoute(typed, options.exchange);
  registerEmptyPublicLists(app);
}
