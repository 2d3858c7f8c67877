/**
 * `GET /wapi/v1/capital/deposit/address?blockchain=Solana` (depositAddressQuery): the key's subaccount's stable
 * sandbox deposit address on that chain, in the chain's format; 400 for a blockchain no asset uses.
 */
import type { Exchange } from '../../../exchange/index.ts';
import { signedRoute, type SignedRoute } from '../../plugins/signed-api.ts';

export function getDepositAddressRoute(exchange: Exchange): SignedRoute {
  return signedRoute({
    method: 'GET',
    url: '/wapi/v1/capital/deposit/address',
    schema: {
      summary: 'Deposit address (depositAddressQuery)',
      tags: ['Capital'],
      querystring: {
        type: 'object',
        required: ['blockchain'],
        properties: { blockchain: { type: 'string', description: 'Backpack spelling, e.g. Solana' } },
      },
      response: { 200: { type: 'object', properties: { address: { type: 'string' } } } },
    },
    handler: async (request) => {
      const { blockchain } = request.query;
      return { address: exchange.getDepositAddress(request.caller.subaccountId, blockchain) };
    },
  });
}
