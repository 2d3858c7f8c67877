/**
 * `GET /api/v1/depth?symbol=&limit=`: the order book from memory (rebuilt first if another process changed the
 * market). Bids ascending with the best last, asks ascending with the best first; `lastUpdateId` is the market
 * sequence (a string) and `timestamp` microseconds (ccxt refuses a depth without it).
 */
import { toBackpackDepth } from '../../views/backpack-wire.ts';
import { requireMarket, type Exchange } from '../../../exchange/index.ts';
import type { SchemaTypedApp } from '../../schema-types.ts';

const levels = {
  type: 'array',
  items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 },
} as const;

export function registerDepthRoute(app: SchemaTypedApp, exchange: Exchange): void {
  app.get(
    '/api/v1/depth',
    {
      schema: {
        summary: 'Order book depth',
        tags: ['Markets'],
        querystring: {
          type: 'object',
          required: ['symbol'],
          properties: {
            symbol: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              asks: levels,
              bids: levels,
              lastUpdateId: { type: 'string' },
              timestamp: { type: 'integer', description: 'Unix microseconds' },
            },
          },
        },
      },
    },
    async (request) => {
      const { symbol, limit } = request.query;
      const market = requireMarket(exchange.config, symbol);
      return toBackpackDepth(await exchange.getDepth(symbol, limit), market, exchange.now());
    },
  );
}
