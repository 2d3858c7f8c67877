/**
 * `GET /wapi/v1/history/fills` (fillHistoryQueryAll): the key's subaccount's side of each trade, newest first
 * unless `sortDirection=Asc`: `tradeId` (integer), `orderId`, `side`, `price`, `quantity`, `fee` in
 * `feeSymbol` (the asset this side received), `isMaker`, `timestamp` (naive UTC date-time). `from`/`to` are
 * inclusive ms bounds. Signet has user fills only: other `fillType`s (liquidations, ...) answer an empty list.
 */
import { parseOrderId, requireMarket, type Exchange } from '../../../exchange/index.ts';
import { toBackpackFill } from '../../views/backpack-wire.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { pagingProperties, sortDirectionProperty } from '../orders/order-schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;

export const fillSchema = {
  type: 'object',
  properties: {
    tradeId: { type: 'integer' },
    orderId: { type: 'string' },
    clientId: { type: ['integer', 'null'] },
    symbol: { type: 'string' },
    side: { type: 'string', enum: ['Bid', 'Ask'] },
    price: { type: 'string' },
    quantity: { type: 'string' },
    fee: { type: 'string' },
    feeSymbol: { type: 'string' },
    isMaker: { type: 'boolean' },
    systemOrderType: nullableString,
    timestamp: { type: 'string', description: 'Naive UTC date-time' },
  },
} as const;

export function getFillHistoryRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/wapi/v1/history/fills',
    schema: {
      summary: 'Fill history (fillHistoryQueryAll)',
      tags: ['History'],
      querystring: {
        type: 'object',
        properties: {
          orderId: { type: 'string' },
          strategyId: { type: 'string' },
          from: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          to: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
          symbol: { type: 'string' },
          ...pagingProperties,
          fillType: { type: 'string' },
          marketType: { type: 'array', items: { type: 'string' } },
          sortDirection: sortDirectionProperty,
        },
      },
      response: { 200: { type: 'array', items: fillSchema } },
    },
    handler: async (request) => {
      const { query } = request;
      if (query.strategyId !== undefined) return [];
      if (query.fillType !== undefined && query.fillType !== 'User') return [];
      if (query.marketType !== undefined && !query.marketType.includes('SPOT')) return [];
      const fills = await exchange.listFills(request.caller.subaccountId, {
        symbol: query.symbol,
        orderId: query.orderId === undefined ? undefined : parseOrderId(query.orderId),
        from: query.from,
        to: query.to,
        limit: query.limit,
        offset: query.offset,
        sortDirection: query.sortDirection,
      });
      return fills.map((fill) =>
        toBackpackFill(fill, requireMarket(exchange.config, fill.symbol), exchange.config),
      );
    },
  });
}
