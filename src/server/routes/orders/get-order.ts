/**
 * `GET /api/v1/order` (orderQuery): one resting order of the key's subaccount by `orderId` or `clientId`
 * (exactly one) in `symbol`; 404 RESOURCE_NOT_FOUND when it is not resting (filled, cancelled, unknown, or
 * another subaccount's). Finished orders are in `/wapi/v1/history/orders`.
 */
import type { Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { formatOrder, orderSchema } from './order-schemas.ts';

export function getOrderRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/api/v1/order',
    schema: {
      summary: 'An open order (orderQuery)',
      tags: ['Orders'],
      querystring: {
        type: 'object',
        required: ['symbol'],
        properties: {
          symbol: { type: 'string' },
          orderId: { type: 'string' },
          clientId: { type: 'integer', minimum: 0, maximum: 4294967295 },
        },
      },
      response: { 200: orderSchema },
    },
    handler: async (request) => {
      const { query } = request;
      return formatOrder(exchange, await exchange.getOpenOrder(request.caller.subaccountId, query), 'ms');
    },
  });
}
