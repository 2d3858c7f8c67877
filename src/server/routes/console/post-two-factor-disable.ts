/**
 * `POST /console/api/2fa/disable`: turns 2FA off; needs a current code or an unused recovery code, so a session
 * alone cannot. The user's API withdrawals are paused for SIGNET_2FA_OFF_WITHDRAWAL_PAUSE (24 h); the answer says
 * until when.
 */
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

export function postTwoFactorDisableRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/2fa/disable',
    schema: {
      summary: 'Turn two-factor authentication off (needs a current code or a recovery code)',
      tags: ['Console'],
      body: totpCodeBodySchema,
      response: {
        200: {
          ...userResponseSchema,
          properties: {
            ...userResponseSchema.properties,
            apiWithdrawalsPausedUntil: {
              type: ['integer', 'null'],
              description: 'API withdrawals are refused until this time (epoch ms)',
            },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { code } = request.body;
      const { apiWithdrawalsPausedUntil } = await disableTwoFactor(db, {
        userId: user.id,
        code,
        withdrawalPauseMs: config.twoFactorOffWithdrawalPauseMs,
        context: auditContextOf(request),
        now: now(),
      });
      return { user: toUserView((await getUser(db, user.id)) ?? user), apiWithdrawalsPausedUntil };
    },
  });
}
