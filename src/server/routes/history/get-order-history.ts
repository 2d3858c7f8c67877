/**
 * `GET /wapi/v1/history/orders` (orderHistoryQueryAll): every order of the key's subaccount, open or finished,
 * newest first unless `sortDirection=Asc`, with `createdAt` as a naive UTC date-time. Strategies and markets
 * other than spot do not exist on Signet: filtering on them answers an empty list.
 */
import { parseOrderId, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import {
  formatOrder,
  historyOrderSchema,
  pagingProperties,
  sortDirectionProperty,
} from '../orders/order-schemas.ts';

export function getOrderHistoryRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/wapi/v1/history/orders',
    schema: {
      summary: 'Order history (orderHistoryQueryAll)',
      tags: ['History'],
      querystring: {
        type: 'object',
        properties: {
          orderId: { type: 'string' },
          strategyId: { type: 'string' },
          symbol: { type: 'string' },
          ...pagingProperties,
          marketType: { type: 'array', items: { type: 'string' } },
          sortDirection: sortDirectionProperty,
        },
      },
      response: { 200: { type: 'array', items: historyOrderSchema } },
    },
    handler: async (request) => {
      const { query } = request;
      if (query.strategyId !== undefined) return [];
      if (query.marketType !== undefined && !query.marketType.includes('SPOT')) return [];
      const orders = await exchange.listOrderHistory(request.caller.subaccountId, {
        symbol: query.symbol,
        orderId: query.orderId === undefined ? undefined : parseOrderId(query.orderId),
        limit: query.limit,
        offset: query.offset,
        sortDirection: query.sortDirection,
      });
      return orders.map((order) => formatOrder(exchange, order, 'naive'));
    },
  });
}
