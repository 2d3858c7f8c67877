/**
 * `DELETE /console/api/keys/:id`: revokes one of the caller's keys; effective on the key's next request.
 * Ownership is part of the query (`revokeApiKey` with `userId`), so another user's key id answers 404.
 * With 2FA on, the body carries the current code (`{"totpCode"}`).
 */
import type { RouteOptions } from 'fastify';

import { resolveSubaccount } from '../../../accounts/index.ts';
import { findApiKey, revokeApiKey } from '../../../keys/index.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { toApiKeyView } from './api-key-view.ts';
import { confirmKeyAction } from './key-two-factor.ts';
import { apiKeySchema, errorResponses, keyIdParamsSchema, totpCodeSchema } from './schemas.ts';

export function deleteApiKeyRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'DELETE',
    url: '/keys/:id',
    schema: {
      summary: 'Revoke an API key',
      tags: ['Console'],
      params: keyIdParamsSchema,
      body: {
        type: ['object', 'null'],
        additionalProperties: false,
        properties: { totpCode: totpCodeSchema },
      },
      response: { 200: apiKeySchema, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const body = request.body ?? {};
      const at = now();
      await findApiKey(db, { key: id, userId: user.id });
      await confirmKeyAction(
        { db, config },
        { user, proof: { totpCode: body.totpCode }, now: at, grantsAccess: false, needsProof: false },
      );
      const key = await revokeApiKey(db, {
        key: id,
        userId: user.id,
        context: auditContextOf(request),
        now: at,
      });
      const subaccount = await resolveSubaccount(db, user.id, { id: key.subaccountId });
      return toApiKeyView(key, subaccount.name, { now: at });
    },
  });
}
