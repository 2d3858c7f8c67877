/**
 * `GET /api/v1/account/limits/withdrawal` (maxWithdrawalQuantity): the key's subaccount's available balance of the
 * asset, exact (bigint units formatted with the asset's decimals).
 */
import { formatDecimal, type Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';
import { requireKnownAsset } from './asset-input.ts';

export function getWithdrawalLimitRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/api/v1/account/limits/withdrawal',
    schema: {
      summary: 'Largest withdrawal (maxWithdrawalQuantity): the available balance',
      tags: ['Account'],
      querystring: {
        type: 'object',
        required: ['symbol'],
        properties: {
          symbol: { type: 'string' },
          autoBorrow: { type: 'boolean' },
          autoLendRedeem: { type: 'boolean' },
        },
      },
    },
    handler: async (request) => {
      const asset = requireKnownAsset(exchange.config, request.query.symbol);
      const balance = await exchange.readBalance(request.caller.subaccountId, asset.symbol);
      return {
        maxWithdrawalQuantity: formatDecimal(balance.available, asset.decimals),
        symbol: asset.symbol,
      };
    },
  });
}
