/**
 * `POST /console/api/withdrawal-addresses/:id/cancel`: cancels the entry's pending change, at once: a pending
 * addition removes the entry (`{ address: null }`), a pending "allow for API" requires 2FA again. Audited.
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
  toWithdrawalAddressView,
  withdrawalAddressIdParams,
  withdrawalAddressSchema,
} from './withdrawal-address-view.ts';

export function postWithdrawalAddressCancelRoute({ now, addressBook }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/withdrawal-addresses/:id/cancel',
    schema: {
      summary: 'Cancel a pending withdrawal address change',
      tags: ['Console'],
      params: withdrawalAddressIdParams,
      response: {
        200: {
          type: 'object',
          required: ['address'],
          additionalProperties: false,
          properties: { address: { anyOf: [withdrawalAddressSchema, { type: 'null' }] } },
        },
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const at = now();
      const entry = await addressBook.cancelPending({
        userId: user.id,
        id,
        context: auditContextOf(request),
        now: at,
      });
      return { address: entry === undefined ? null : toWithdrawalAddressView(entry, at) };
    },
  });
}
