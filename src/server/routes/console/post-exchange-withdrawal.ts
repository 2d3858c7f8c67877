/**
 * `POST /console/api/exchange/withdrawals`: a withdrawal made by the signed-in owner from one of their
 * subaccounts (the Deposits & Withdrawals page's "Withdraw").
 *
 * The console's rule (the owner is present and can be asked for a second factor, unlike an API key):
 * - the address must be in the owner's address book on that blockchain with its cooling-off passed; otherwise
 *   403 WITHDRAWAL_ADDRESS_NOT_ALLOWED (the page maps that code to a link to Settings > Withdrawal addresses);
 * - an entry allowed for API withdrawals needs nothing more; an entry that requires 2FA needs the TOTP code
 *   (or the password on an account without 2FA), checked after every input check so a typo spends no code;
 * - with SIGNET_WITHDRAWAL_ADDRESSES=any, any valid address, with the code or password.
 * Amounts follow the signed API's rules (the same withdrawal service); the quantity must be a JSON string.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { AppError } from '../../../errors.ts';
import { requireConsoleSession, type ConsoleExchangeDeps } from '../../plugins/console-session.ts';
import { toWithdrawalView, withdrawalSchema } from '../../views/console-exchange-views.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';
import { identityProofProperties } from './withdrawal-address-view.ts';

/** A withdrawal as the console sends it, with the owner's proof (the SPA imports its type, wire.ts). */
export const withdrawBodySchema = {
  type: 'object',
  required: ['symbol', 'blockchain', 'address', 'quantity'],
  additionalProperties: false,
  properties: {
    subaccountId: { type: 'string', maxLength: 64, description: 'Defaults to the main subaccount' },
    symbol: { type: 'string', maxLength: 32 },
    blockchain: { type: 'string', maxLength: 32 },
    address: { type: 'string', maxLength: 256 },
    quantity: { type: 'string', maxLength: 64 },
    ...identityProofProperties,
  },
} as const;

export function postExchangeWithdrawalRoute({
  db,
  now,
  exchange,
  addressBook,
}: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/exchange/withdrawals',
    schema: {
      summary: 'Withdraw from a subaccount to an address-book entry',
      tags: ['Console'],
      body: withdrawBodySchema,
      response: { 201: withdrawalSchema, ...errorResponses },
    },
    preValidation: async (request) => {
      // Before validation the body is whatever was sent.
      const body: unknown = request.body;
      if (
        typeof body === 'object' &&
        body !== null &&
        'quantity' in body &&
        typeof body.quantity !== 'string'
      ) {
        throw new AppError('INVALID_QUANTITY', 'Quantity must be a decimal string, e.g. "10"');
      }
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { body } = request;
      const subaccount = await resolveSubaccount(db, user.id, { id: body.subaccountId });
      const withdrawal = await exchange.requestWithdrawal(
        subaccount.id,
        { symbol: body.symbol, blockchain: body.blockchain, address: body.address, quantity: body.quantity },
        {
          authorize: (destination) =>
            addressBook.authorizeConsoleWithdrawal({
              userId: user.id,
              ...destination,
              proof: { totpCode: body.totpCode, password: body.password },
              now: now(),
            }),
        },
      );
      return reply.code(201).send(toWithdrawalView(withdrawal, exchange.config));
    },
  });
}
