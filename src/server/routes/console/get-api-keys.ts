/** `GET /console/api/keys`: the caller's API keys, newest first, revoked ones included (`revokedAt` set). */
import type { RouteOptions } from 'fastify';

import { listSubaccounts } from '../../../accounts/index.ts';
import { listApiKeys } from '../../../keys/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { apiKeySchema, errorResponses } from './schemas.ts';
import { toApiKeyView } from './api-key-view.ts';

export function getApiKeysRoute({ db }: ConsoleRouteDeps): RouteOptions {
  return {
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
      const names = new Map(subaccounts.map((s) => [s.id, s.name]));
      return keys.map((key) => toApiKeyView(key, names.get(key.subaccountId) ?? ''));
    },
  };
}
