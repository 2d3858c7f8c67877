/** `GET /wapi/v1/capital/withdrawals` (withdrawalQueryAll): the key's subaccount's withdrawals, newest first. */
import { toBackpackWithdrawal } from '../../views/backpack-wire.ts';
import { requireAsset, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { timeRangeProperties, withdrawalSchema } from './capital-schemas.ts';

export function getWithdrawalsRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/wapi/v1/capital/withdrawals',
    schema: {
      summary: 'Withdrawal history (withdrawalQueryAll)',
      tags: ['Capital'],
      querystring: {
        type: 'object',
        properties: {
          ...timeRangeProperties,
          id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          clientId: { type: 'string', maxLength: 255 },
        },
      },
      response: { 200: { type: 'array', items: withdrawalSchema } },
    },
    handler: async (request) => {
      const { query } = request;
      const withdrawals = await exchange.listWithdrawals(request.caller.subaccountId, query);
      return withdrawals.map((w) => toBackpackWithdrawal(w, requireAsset(exchange.config, w.symbol)));
    },
  });
}
