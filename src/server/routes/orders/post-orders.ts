/**
 * `POST /api/v1/orders` (orderExecute, one signed segment per order): places each order in turn and answers one
 * item per order, in order: the order plus `"operation":"Ok"`, or `{"operation":"Err","code","message"}`.
 */
import { MAX_BATCH_ORDERS, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { batchItemSchema, formatOrder, orderPayloadSchema } from './order-schemas.ts';

export function postOrdersRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'POST',
    url: '/api/v1/orders',
    schema: {
      summary: 'Place several orders (orderExecute per item)',
      tags: ['Orders'],
      body: { type: 'array', maxItems: MAX_BATCH_ORDERS, items: orderPayloadSchema },
      response: { 200: { type: 'array', items: batchItemSchema } },
    },
    handler: async (request) => {
      const results = await exchange.placeOrders(request.caller.subaccountId, request.body);
      return results.map((result) =>
        result.ok
          ? { ...formatOrder(exchange, result.order, 'ms'), operation: 'Ok' }
          : { operation: 'Err', code: result.code, message: result.message },
      );
    },
  });
}
