/**
 * `DELETE /api/v1/orders` (orderCancelAll): cancels every resting order of the key's subaccount in `symbol` and
 * answers them (an empty array when there were none). Signet has no conditional orders, so
 * `orderType: "ConditionalOrder"` cancels nothing.
 */
import { requireMarket, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { formatOrder, orderSchema } from './order-schemas.ts';

export function deleteOrdersRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'DELETE',
    url: '/api/v1/orders',
    schema: {
      summary: 'Cancel all open orders in a market (orderCancelAll)',
      tags: ['Orders'],
      body: {
        type: 'object',
        required: ['symbol'],
        properties: {
          symbol: { type: 'string' },
          orderType: { type: 'string', enum: ['RestingLimitOrder', 'ConditionalOrder'] },
        },
      },
      response: { 200: { type: 'array', items: orderSchema } },
    },
    handler: async (request) => {
      const { body } = request;
      if (body.orderType === 'ConditionalOrder') {
        requireMarket(exchange.config, body.symbol);
        return [];
      }
      const orders = await exchange.cancelAllOrders(request.caller.subaccountId, body.symbol);
      return orders.map((order) => formatOrder(exchange, order, 'ms'));
    },
  });
}
