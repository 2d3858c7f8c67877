/**
 * `GET /wapi/v1/capital/deposits` (depositQueryAll): the key's subaccount's deposits, newest first. `from`/`to`
 * are inclusive ms bounds; `endTime` (what ccxt sends for `until`) is read as `to` when `to` is absent.
 */
import { toBackpackDeposit } from '../../views/backpack-wire.ts';
import { requireAsset, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { depositSchema, timeRangeProperties } from './capital-schemas.ts';

export function getDepositsRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/wapi/v1/capital/deposits',
    schema: {
      summary: 'Deposit history (depositQueryAll)',
      tags: ['Capital'],
      querystring: {
        type: 'object',
        properties: {
          ...timeRangeProperties,
          endTime: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
        },
      },
      response: { 200: { type: 'array', items: depositSchema } },
    },
    handler: async (request) => {
      const { query } = request;
      const deposits = await exchange.listDeposits(request.caller.subaccountId, {
        ...query,
        to: query.to ?? query.endTime,
      });
      return deposits.map((deposit) =>
        toBackpackDeposit(deposit, requireAsset(exchange.config, deposit.symbol)),
      );
    },
  });
}
