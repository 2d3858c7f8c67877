/** `POST /console/api/auth/logout`: ends the current session (server side) and clears the cookie. */
import type { RouteOptions } from 'fastify';

import { signOut } from '../../../console/auth-service.ts';
import {
  auditContextOf,
  clearSessionCookie,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export function postLogoutRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/auth/logout',
    schema: {
      summary: 'Sign out',
      tags: ['Console'],
      response: { 204: { type: 'null', description: 'Signed out' }, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { token, user } = requireConsoleSession(request);
      await signOut(db, { token, userId: user.id, context: auditContextOf(request), now: now() });
      clearSessionCookie(request, reply);
      return reply.code(204).send(null);
    },
  });
}
