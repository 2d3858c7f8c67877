/**
 * `GET /api/v1/klines?symbol=&interval=&startTime=&endTime=`: candles built from the trades table. Times in
 * the query are Unix SECONDS (endTime defaults to now); `start`/`end` in the answer are "YYYY-MM-DD HH:MM:SS"
 * UTC. Only buckets with trades are returned; see market-data.ts for alignment.
 */
import { toBackpackKline } from '../../views/backpack-wire.ts';
import { KLINE_INTERVALS, requireMarket, type Exchange } from '../../../exchange/index.ts';
import type { SchemaTypedApp } from '../../schema-types.ts';

const MAX_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59Z

export function registerKlinesRoute(app: SchemaTypedApp, exchange: Exchange): void {
  app.get(
    '/api/v1/klines',
    {
      schema: {
        summary: 'Candles (OHLCV)',
        tags: ['Markets'],
        querystring: {
          type: 'object',
          required: ['symbol', 'interval', 'startTime'],
          properties: {
            symbol: { type: 'string' },
            interval: { type: 'string', enum: [...KLINE_INTERVALS] },
            startTime: { type: 'integer', minimum: 0, maximum: MAX_SECONDS, description: 'Unix seconds' },
            endTime: { type: 'integer', minimum: 0, maximum: MAX_SECONDS, description: 'Unix seconds' },
            priceType: {
              type: 'string',
              enum: ['Last', 'Mark', 'Index'],
              description: 'Mark and Index equal Last on spot',
            },
          },
        },
        response: {
          200: {
            type: 'array',
            items: {
              type: 'object',
              properties: Object.fromEntries(
                ['start', 'end', 'open', 'high', 'low', 'close', 'volume', 'quoteVolume', 'trades'].map(
                  (name) => [name, { type: 'string' }],
                ),
              ),
            },
          },
        },
      },
    },
    async (request) => {
      const { query } = request;
      const market = requireMarket(exchange.config, query.symbol);
      const klines = await exchange.listKlines(query.symbol, {
        interval: query.interval,
        startMs: query.startTime * 1000,
        endMs: query.endTime === undefined ? exchange.now() + 1 : query.endTime * 1000,
      });
      return klines.map((kline) => toBackpackKline(kline, market));
    },
  );
}
