/**
 * `PATCH /api/v1/account` (accountUpdate): stores Backpack's account switches for the key's subaccount (validated
 * by the exchange: only Backpack's fields, booleans as booleans, leverageLimit 1..100); 200 with an empty body.
 * Signet is spot only, so the switches are kept and reported but change nothing else.
 */
import type { Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';

export function patchAccountRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'PATCH',
    url: '/api/v1/account',
    schema: {
      summary: 'Update account settings (accountUpdate)',
      tags: ['Account'],
      body: {
        type: 'object',
        properties: {
          autoBorrowSettlements: { type: 'boolean' },
          autoLend: { type: 'boolean' },
          autoRealizePnl: { type: 'boolean' },
          autoRepayBorrows: { type: 'boolean' },
          leverageLimit: { type: 'string' },
        },
      },
    },
    handler: async (request, reply) => {
      await exchange.updateAccountSettings(request.caller.subaccountId, request.body);
      return reply.code(200).send();
    },
  });
}
