/**
 * `GET /console/api/keys`: the caller's API keys, newest first, dead ones included (revoked, expired, retired by
 * rotation), each with its state at the server's clock and its rotation links.
 */
import type { RouteOptions } from 'fastify';

import { listSubaccounts } from '../../../accounts/index.ts';
import { listApiKeys } from '../../../keys/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { apiKeySchema, errorResponses } from './schemas.ts';
import { toApiKeyViews } from './api-key-view.ts';

export function getApiKeysRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/keys',
    schema: {
      summary: 'List API keys',
      tags: ['Console'],
      response: { 200: { type: 'array', items: apiKeySchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const [keys, subaccounts] = await Promise.all([listApiKeys(db, user.id), listSubaccounts(db, user.id)]);
      return toApiKeyViews(keys, new Map(subaccounts.map((s) => [s.id, s.name])), now());
    },
  });
}
