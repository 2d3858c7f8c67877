/** `GET /console/api/subaccounts`: the caller's subaccounts, main first. */
import type { RouteOptions } from 'fastify';

import { listSubaccounts } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, subaccountSchema, toSubaccountView } from './schemas.ts';

export function getSubaccountsRoute({ db }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/subaccounts',
    schema: {
      summary: 'List subaccounts',
      tags: ['Console'],
      response: { 200: { type: 'array', items: subaccountSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      return (await listSubaccounts(db, user.id)).map(toSubaccountView);
    },
  });
}
