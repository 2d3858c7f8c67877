/**
 * `DELETE /console/api/keys/:id`: revokes one of the caller's keys; effective on the key's next request.
 * Ownership is part of the query (`revokeApiKey` with `userId`), so another user's key id answers 404.
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/accounts-service.ts';
import { revokeApiKey } from '../../../keys/keys-service.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { toApiKeyView } from './api-key-view.ts';
import { apiKeySchema, errorResponses } from './schemas.ts';

export function deleteApiKeyRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return {
    method: 'DELETE',
    url: '/keys/:id',
    schema: {
      summary: 'Revoke an API key',
      tags: ['Console'],
      params: {
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^key_[0-9A-Z]+$' } },
      },
      response: { 200: apiKeySchema, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params as { id: string };
      const key = await revokeApiKey(db, {
        key: id,
        userId: user.id,
        context: auditContextOf(request),
        now: now(),
      });
      const subaccount = await resolveSubaccount(db, user.id, { id: key.subaccountId });
      return toApiKeyView(key, subaccount.name);
    },
  };
}
