/**
 * Public market data as one plugin: tickers, depth, trades and klines (no authentication, like Backpack).
 * Market metadata (assets, markets, market) lives in get-markets.ts.
 */
import type { FastifyInstance } from 'fastify';

import type { Exchange } from '../../../exchange/index.ts';
import { registerDepthRoute } from './get-depth.ts';
import { registerKlinesRoute } from './get-klines.ts';
import { registerTickerRoutes } from './get-tickers.ts';
import { registerTradeRoutes } from './get-trades.ts';
import { registerEmptyPublicLists } from '../unused/empty-answers.ts';

export async function marketDataRoutes(app: FastifyInstance, options: { exchange: Exchange }): Promise<void> {
  registerTickerRoutes(app, options.exchange);
  registerDepthRoute(app, options.exchange);
  registerTradeRoutes(app, options.exchange);
  registerKlinesRoute(app, options.exchange);
  registerEmptyPublicLists(app);
}
