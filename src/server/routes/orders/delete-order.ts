/**
 * `DELETE /api/v1/order` (orderCancel): cancels one resting order of the key's subaccount, named by `orderId`
 * or `clientId` (exactly one) in `symbol`; answers the cancelled order, or 404 RESOURCE_NOT_FOUND when the
 * subaccount has no such resting order (another subaccount's order looks exactly like a missing one).
 */
import type { Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { formatOrder, orderSchema } from './order-schemas.ts';

export function deleteOrderRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'DELETE',
    url: '/api/v1/order',
    schema: {
      summary: 'Cancel an order (orderCancel)',
      tags: ['Orders'],
      body: {
        type: 'object',
        required: ['symbol'],
        properties: {
          symbol: { type: 'string' },
          orderId: { type: 'string' },
          clientId: { anyOf: [{ type: 'integer' }, { type: 'string' }], description: 'uint32' },
        },
      },
      response: { 200: orderSchema },
    },
    handler: async (request) => {
      const { body } = request;
      const order = await exchange.cancelOrder(request.caller.subaccountId, body);
      return formatOrder(exchange, order, 'ms');
    },
  });
}
