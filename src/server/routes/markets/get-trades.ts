/**
 * `GET /api/v1/trades?symbol=&limit=` (the most recent trades) and `GET /api/v1/trades/history?symbol=&limit=
 * &offset=` (older pages, skipping `offset` newer trades); both oldest first within the page.
 */
import { toBackpackTrade } from '../../views/backpack-wire.ts';
import { requireMarket, type Exchange } from '../../../exchange/index.ts';
import type { SchemaTypedApp } from '../../schema-types.ts';

const tradeSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    price: { type: 'string' },
    quantity: { type: 'string' },
    quoteQuantity: { type: 'string' },
    timestamp: { type: 'integer', description: 'Unix ms' },
    isBuyerMaker: { type: 'boolean' },
  },
} as const;

export function registerTradeRoutes(app: SchemaTypedApp, exchange: Exchange): void {
  for (const history of [false, true]) {
    app.get(
      history ? '/api/v1/trades/history' : '/api/v1/trades',
      {
        schema: {
          summary: history ? 'Older public trades' : 'Recent public trades',
          tags: ['Markets'],
          querystring: {
            type: 'object',
            required: ['symbol'],
            properties: {
              symbol: { type: 'string' },
              limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
              // Validated on both routes: `/trades?offset=abc` once reached SQL unchecked (a public 500).
              offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
            },
          },
          response: { 200: { type: 'array', items: tradeSchema } },
        },
      },
      async (request) => {
        const { symbol, limit, offset } = request.query;
        const market = requireMarket(exchange.config, symbol);
        const trades = await exchange.listTrades(symbol, { limit, offset });
        return trades.map((trade) => toBackpackTrade(trade, market));
      },
    );
  }
}
