/**
 * `POST /wapi/v1/capital/withdrawals` (withdraw): validates the destination for the chain, debits quantity +
 * the chain's fee and answers the withdrawal (`pending`; the server's settlement step confirms it). Only
 * full-access keys get here (the gateway answers 403 to read-only keys).
 */
import { toBackpackWithdrawal } from '../../views/backpack-wire.ts';
import type { Exchange } from '../../../exchange/exchange-service.ts';
import { requireAsset } from '../../../exchange/model/client-input.ts';
import type { SignedRoute } from '../../plugins/signed-api.ts';
import { withdrawalSchema } from './capital-schemas.ts';

export function postWithdrawalRoute(exchange: Exchange): SignedRoute {
  return {
    method: 'POST',
    url: '/wapi/v1/capital/withdrawals',
    schema: {
      summary: 'Request a withdrawal (withdraw)',
      tags: ['Capital'],
      body: {
        type: 'object',
        required: ['address', 'blockchain', 'quantity', 'symbol'],
        properties: {
          address: { type: 'string' },
          blockchain: { type: 'string', description: 'Backpack spelling, e.g. Solana' },
          quantity: { anyOf: [{ type: 'string' }, { type: 'number' }] },
          symbol: { type: 'string' },
          clientId: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
          twoFactorToken: { type: 'string', description: 'Ignored by Signet' },
        },
      },
      response: { 200: withdrawalSchema },
    },
    handler: async (request) => {
      const withdrawal = await exchange.requestWithdrawal(request.caller.subaccountId, request.body);
      return toBackpackWithdrawal(withdrawal, requireAsset(exchange.config, withdrawal.symbol));
    },
  };
}
