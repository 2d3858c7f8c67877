/**
 * `GET /api/v1/ticker?symbol=` and `GET /api/v1/tickers`: 24-hour statistics from the trades table, decimals as
 * strings (`priceChangePercent` is a fraction, as Backpack sends it).
 */
import type { FastifyInstance } from 'fastify';

import { toBackpackTicker } from '../../views/backpack-wire.ts';
import type { Exchange } from '../../../exchange/exchange-service.ts';
import { requireMarket } from '../../../exchange/model/client-input.ts';

export const tickerSchema = {
  type: 'object',
  properties: Object.fromEntries(
    [
      'symbol',
      'firstPrice',
      'lastPrice',
      'priceChange',
      'priceChangePercent',
      'high',
      'low',
      'volume',
      'quoteVolume',
      'trades',
    ].map((name) => [name, { type: 'string' }]),
  ),
} as const;

export function registerTickerRoutes(app: FastifyInstance, exchange: Exchange): void {
  app.get(
    '/api/v1/ticker',
    {
      schema: {
        summary: '24 h ticker of one market',
        tags: ['Markets'],
        querystring: {
          type: 'object',
          required: ['symbol'],
          properties: { symbol: { type: 'string' }, interval: { type: 'string', enum: ['1d'] } },
        },
        response: { 200: tickerSchema },
      },
    },
    async (request) => {
      const { symbol } = request.query as { symbol: string };
      return toBackpackTicker(await exchange.getTicker(symbol), requireMarket(exchange.config, symbol));
    },
  );

  app.get(
    '/api/v1/tickers',
    {
      schema: {
        summary: '24 h tickers of every market',
        tags: ['Markets'],
        querystring: { type: 'object', properties: { interval: { type: 'string', enum: ['1d'] } } },
        response: { 200: { type: 'array', items: tickerSchema } },
      },
    },
    async () =>
      (await exchange.listTickers()).map((ticker) =>
        toBackpackTicker(ticker, requireMarket(exchange.config, ticker.symbol)),
      ),
  );
}
