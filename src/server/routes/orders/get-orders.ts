/**
 * `GET /api/v1/orders` (orderQueryAll): the key's subaccount's resting orders, in one market or all. Signet has
 * spot markets only, so any other `marketType` answers an empty list.
 */
import type { Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { formatOrder, orderSchema } from './order-schemas.ts';

export function getOrdersRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/api/v1/orders',
    schema: {
      summary: 'Open orders (orderQueryAll)',
      tags: ['Orders'],
      querystring: {
        type: 'object',
        properties: { symbol: { type: 'string' }, marketType: { type: 'string' } },
      },
      response: { 200: { type: 'array', items: orderSchema } },
    },
    handler: async (request) => {
      const { query } = request;
      if (query.marketType !== undefined && query.marketType !== 'SPOT') return [];
      const orders = await exchange.listOpenOrders(request.caller.subaccountId, query.symbol);
      return orders.map((order) => formatOrder(exchange, order, 'ms'));
    },
  });
}
