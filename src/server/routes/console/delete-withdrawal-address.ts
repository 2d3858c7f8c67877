/**
 * `DELETE /console/api/withdrawal-addresses/:id`: removes an entry at once (effective on the next withdrawal in
 * every process: withdrawals read the book from the database). An active entry needs the same proof as adding it
 * (the TOTP code, or the password without 2FA); a pending one goes without (the console offers Cancel for it).
 * Audited.
 */
import type { RouteOptions } from 'fastify';

import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleExchangeDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';
import { identityProofProperties, withdrawalAddressIdParams } from './withdrawal-address-view.ts';

export function deleteWithdrawalAddressRoute({ now, addressBook }: ConsoleExchangeDeps): RouteOptions {
  return schemaRoute({
    method: 'DELETE',
    url: '/withdrawal-addresses/:id',
    schema: {
      summary: 'Remove a withdrawal address',
      tags: ['Console'],
      params: withdrawalAddressIdParams,
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { ...identityProofProperties },
      },
      response: { 204: { type: 'null' }, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const proof = request.body ?? {};
      await addressBook.remove({
        userId: user.id,
        id,
        actor: { proof: { totpCode: proof.totpCode, password: proof.password } },
        context: auditContextOf(request),
        now: now(),
      });
      return reply.code(204).send(null);
    },
  });
}
