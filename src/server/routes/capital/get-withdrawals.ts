/** `GET /wapi/v1/capital/withdrawals` (withdrawalQueryAll): the key's subaccount's withdrawals, newest first. */
import { toBackpackWithdrawal } from '../../views/backpack-wire.ts';
import { requireAsset, type Exchange } from '../../../exchange/index.ts';
import type { SignedRoute } from '../../plugins/signed-api.ts';
import { timeRangeProperties, withdrawalSchema, type TimeRangeQuery } from './capital-schemas.ts';

export function getWithdrawalsRoute(exchange: Exchange): SignedRoute {
  return {
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
      const query = request.query as TimeRangeQuery & { id?: number; clientId?: string };
      const withdrawals = await exchange.listWithdrawals(request.caller.subaccountId, query);
      return withdrawals.map((w) => toBackpackWithdrawal(w, requireAsset(exchange.config, w.symbol)));
    },
  };
}
