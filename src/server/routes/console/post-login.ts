/**
 * `POST /console/api/auth/login`: email + password (+ `totpCode` when the account has 2FA). A correct password
 * on a 2FA account without a code answers `{ status: "two_factor_required" }` and starts no session; anything
 * wrong answers the same 401 "Invalid email or password", and repeated failures answer 429 with Retry-After.
 */
import type { RouteOptions } from 'fastify';

import { signIn } from '../../../console/auth-service.ts';
import { deriveCsrfToken } from '../../../console/csrf.ts';
import { MAX_PASSWORD_LENGTH } from '../../../accounts/index.ts';
import { auditContextOf, setSessionCookie, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, totpCodeSchema, toUserView, userSchema } from './schemas.ts';

export function postLoginRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/auth/login',
    config: { consoleAccess: 'public' },
    schema: {
      summary: 'Sign in',
      tags: ['Console'],
      body: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', maxLength: 254 },
          password: { type: 'string', maxLength: MAX_PASSWORD_LENGTH },
          totpCode: totpCodeSchema,
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['status'],
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['signed_in', 'two_factor_required'] },
            user: userSchema,
            csrfToken: { type: 'string' },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (request, reply) => {
      const { body } = request;
      const outcome = await signIn(db, {
        ...body,
        context: auditContextOf(request),
        now: now(),
        ipv6Prefix: config.ipv6LimitPrefix,
      });
      if (outcome.status === 'two_factor_required') return { status: outcome.status };
      setSessionCookie(request, reply, outcome.token);
      return {
        status: outcome.status,
        user: toUserView(outcome.user),
        csrfToken: deriveCsrfToken(outcome.token),
      };
    },
  });
}
