/**
 * `POST /console/api/withdrawal-addresses/:id/api-access`: `{ allowApi: true }` turns the entry's 2FA requirement
 * off (needs the TOTP code or password; pending for the cooling-off; audited); `{ allowApi: false }` requires
 * 2FA again, at once and without a proof, since it only tightens.
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
  withdrawalAddressIdParams,
  withdrawalAddressSchema,
} from './withdrawal-address-view.ts';

/** Allowing or refusing API withdrawals to an entry, with the owner's proof (the SPA imports its type). */
export const apiAccessBodySchema = {
  type: 'object',
  required: ['allowApi'],
  additionalProperties: false,
  properties: { allowApi: { type: 'boolean' }, ...identityProofProperties },
} as const;

export function postWithdrawalAddressApiAccessRoute({ now, addressBook }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/withdrawal-addresses/:id/api-access',
    schema: {
      summary: 'Allow a withdrawal address for API withdrawals, or require 2FA for it again',
      tags: ['Console'],
      params: withdrawalAddressIdParams,
      body: apiAccessBodySchema,
      response: { 200: withdrawalAddressSchema, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const { body } = request;
      const at = now();
      const entry = await addressBook.setApiAccess({
        userId: user.id,
        id,
        allowApi: body.allowApi,
        actor: { proof: { totpCode: body.totpCode, password: body.password } },
        context: auditContextOf(request),
        now: at,
      });
      return toWithdrawalAddressView(entry, at);
    },
  });
}
