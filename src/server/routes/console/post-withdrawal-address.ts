/**
 * `POST /console/api/withdrawal-addresses`: adds an address to the caller's book. Needs the TOTP code (2FA on)
 * or the password (2FA off); pending for the operator's cooling-off; an audit event. With
 * `twoFactorRequired: false` the address is also allowed for API withdrawals once the cooling-off has passed.
 */
import type { RouteOptions } from 'fastify';

import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleExchangeDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';
import {
  identityProofProperties,
  toWithdrawalAddressView,
  withdrawalAddressSchema,
} from './withdrawal-address-view.ts';

/** A new address-book entry, with the owner's proof (the SPA imports its type, wire.ts). */
export const addWithdrawalAddressBodySchema = {
  type: 'object',
  required: ['label', 'blockchain', 'address'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', maxLength: 256 },
    blockchain: { type: 'string', maxLength: 32, description: "Backpack's spelling, e.g. Solana" },
    address: { type: 'string', maxLength: 256 },
    twoFactorRequired: {
      type: 'boolean',
      default: true,
      description: 'false: API keys may withdraw to it once the cooling-off has passed',
    },
    ...identityProofProperties,
  },
} as const;

export function postWithdrawalAddressRoute({ now, addressBook }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/withdrawal-addresses',
    schema: {
      summary: 'Add a withdrawal address (pending for the cooling-off)',
      tags: ['Console'],
      body: addWithdrawalAddressBodySchema,
      response: { 201: withdrawalAddressSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { body } = request;
      const at = now();
      const entry = await addressBook.add({
        userId: user.id,
        label: body.label,
        blockchain: body.blockchain,
        address: body.address,
        allowApi: body.twoFactorRequired === false,
        actor: { proof: { totpCode: body.totpCode, password: body.password } },
        context: auditContextOf(request),
        now: at,
      });
      return reply.code(201).send(toWithdrawalAddressView(entry, at));
    },
  });
}
