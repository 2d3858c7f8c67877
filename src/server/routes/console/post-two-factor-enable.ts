/**
 * `POST /console/api/2fa/enable`: confirms enrolment with a code from the pending secret; 2FA is on after.
 * Every other session of the user ends: they were opened with the password alone. The answer carries the ten
 * recovery codes, the only time they are ever shown (the server keeps their hashes).
 */
import type { RouteOptions } from 'fastify';

import { getUser } from '../../../accounts/index.ts';
import { deleteUserSessions } from '../../../console/sessions.ts';
import { enableTwoFactor } from '../../../console/two-factor-service.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import {
  errorResponses,
  totpCodeBodySchema,
  toUserView,
  userResponseSchema,
  withRecoveryCodes,
} from './schemas.ts';

export function postTwoFactorEnableRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/2fa/enable',
    schema: {
      summary: 'Turn two-factor authentication on',
      tags: ['Console'],
      body: totpCodeBodySchema,
      response: { 200: withRecoveryCodes(userResponseSchema), ...errorResponses },
    },
    handler: async (request) => {
      const { user, session } = requireConsoleSession(request);
      const { code } = request.body;
      const { recoveryCodes } = await enableTwoFactor(db, {
        userId: user.id,
        code,
        context: auditContextOf(request),
        now: now(),
      });
      await deleteUserSessions(db, { userId: user.id, exceptSessionId: session.id });
      return { user: toUserView((await getUser(db, user.id)) ?? user), recoveryCodes };
    },
  });
}
