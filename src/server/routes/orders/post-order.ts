/**
 * `POST /api/v1/order` (orderExecute): places one order for the key's subaccount and answers Backpack's order
 * object (`createdAt` in ms). Refusals are 400s with Backpack codes (INVALID_ORDER, INVALID_PRICE,
 * INVALID_QUANTITY, INSUFFICIENT_FUNDS, ...); an unfilled IOC/FOK/market order is an order with status Expired.
 */
import { orderOrThrow, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { formatOrder, orderPayloadSchema, orderSchema } from './order-schemas.ts';

export function postOrderRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'POST',
    url: '/api/v1/order',
    schema: {
      summary: 'Place an order (orderExecute)',
      tags: ['Orders'],
      body: { ...orderPayloadSchema, required: ['symbol', 'side', 'orderType'] },
      response: { 200: orderSchema },
    },
    // The exchange answers a refusal as a value; this is the one place it becomes Backpack's error.
    handler: async (request) =>
      formatOrder(
        exchange,
        orderOrThrow(await exchange.submitOrder(request.caller.subaccountId, request.body)),
        'ms',
      ),
  });
}
