/** `POST /console/api/2fa/disable`: turns 2FA off; needs a current code, so a session alone cannot. */
import type { RouteOptions } from 'fastify';

import { getUser } from '../../../accounts/index.ts';
import { disableTwoFactor } from '../../../console/two-factor-service.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, totpCodeBodySchema, toUserView, userResponseSchema } from './schemas.ts';

export function postTwoFactorDisableRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/2fa/disable',
    schema: {
      summary: 'Turn two-factor authentication off (needs a current code)',
      tags: ['Console'],
      body: totpCodeBodySchema,
      response: { 200: userResponseSchema, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { code } = request.body;
      await disableTwoFactor(db, { userId: user.id, code, context: auditContextOf(request), now: now() });
      return { user: toUserView((await getUser(db, user.id)) ?? user) };
    },
  });
}
