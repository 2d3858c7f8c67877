/**
 * `POST /console/api/2fa/recovery-codes`: ten new recovery codes in place of the old ones (used or not); needs a
 * current TOTP code (not a recovery code: a person who lost the authenticator turns 2FA off and on instead).
 * The answer is the only time the new codes are shown.
 */
import type { RouteOptions } from 'fastify';

import { regenerateRecoveryCodes } from '../../../console/two-factor-service.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, totpCodeBodySchema } from './schemas.ts';

export function postTwoFactorRecoveryCodesRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/2fa/recovery-codes',
    schema: {
      summary: 'Make new two-factor recovery codes (needs a current code)',
      tags: ['Console'],
      body: totpCodeBodySchema,
      response: {
        200: {
          type: 'object',
          required: ['recoveryCodes'],
          additionalProperties: false,
          properties: { recoveryCodes: { type: 'array', items: { type: 'string' } } },
        },
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { code } = request.body;
      return regenerateRecoveryCodes(db, {
        userId: user.id,
        code,
        context: auditContextOf(request),
        now: now(),
      });
    },
  });
}
