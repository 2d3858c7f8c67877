/**
 * `DELETE /console/api/withdrawal-addresses/:id`: removes an entry at once (effective on the next withdrawal in
 * every process: withdrawals read the book from the database). No proof needed: removing only tightens. Audited.
 */
import type { RouteOptions } from 'fastify';

import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleExchangeDeps,
} from '../../plugins/console-session.ts';
import { errorResponses } from './schemas.ts';
import { withdrawalAddressIdParams } from './withdrawal-address-view.ts';

export function deleteWithdrawalAddressRoute({ now, addressBook }: ConsoleExchangeDeps): RouteOptions {
  return {
    method: 'DELETE',
    url: '/withdrawal-addresses/:id',
    schema: {
      summary: 'Remove a withdrawal address',
      tags: ['Console'],
      params: withdrawalAddressIdParams,
      response: { 204: { type: 'null' }, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params as { id: string };
      await addressBook.remove({ userId: user.id, id, context: auditContextOf(request), now: now() });
      return reply.code(204).send();
    },
  };
}
