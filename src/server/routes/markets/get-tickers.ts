/**
 * `GET /api/v1/ticker?symbol=` and `GET /api/v1/tickers`: 24-hour (or, with `interval=1w`, 7-day) statistics from the trades table, decimals as
 * strings (`priceChangePercent` is a fraction, as Backpack sends it).
 */
import { toBackpackTicker } from '../../views/backpack-wire.ts';
import { requireMarket, type Exchange } from '../../../exchange/index.ts';
import type { SchemaTypedApp } from '../../schema-types.ts';

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

/** Backpack's ticker windows: the default 24 h, or a rolling week. */
const TICKER_WINDOWS = { '1d': 86_400_000, '1w': 7 * 86_400_000 } as const;
type TickerInterval = keyof typeof TICKER_WINDOWS;
const TICKER_INTERVAL = {
  type: 'string',
  enum: ['1d', '1w'] satisfies TickerInterval[],
} as const;

export function registerTickerRoutes(app: SchemaTypedApp, exchange: Exchange): void {
  app.get(
    '/api/v1/ticker',
    {
      schema: {
        summary: '24 h ticker of one market',
        tags: ['Markets'],
        querystring: {
          type: 'object',
          required: ['symbol'],
          properties: { symbol: { type: 'string' }, interval: TICKER_INTERVAL },
        },
        response: { 200: tickerSchema },
      },
    },
    async (request) => {
      const { symbol, interval } = request.query;
      return toBackpackTicker(
        await exchange.getTicker(symbol, TICKER_WINDOWS[interval ?? '1d']),
        requireMarket(exchange.config, symbol),
      );
    },
  );

  app.get(
    '/api/v1/tickers',
    {
      schema: {
        summary: '24 h tickers of every market',
        tags: ['Markets'],
        querystring: { type: 'object', properties: { interval: TICKER_INTERVAL } },
        response: { 200: { type: 'array', items: tickerSchema } },
      },
    },
    async (request) =>
      (await exchange.listTickers(TICKER_WINDOWS[request.query.interval ?? '1d'])).map((ticker) =>
        toBackpackTicker(ticker, requireMarket(exchange.config, ticker.symbol)),
      ),
  );
}
