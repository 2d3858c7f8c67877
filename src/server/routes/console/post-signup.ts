/** `POST /console/api/auth/signup`: creates an account (with its main subaccount) and signs it in. */
import type { RouteOptions } from 'fastify';

import { signUp } from '../../../console/auth-service.ts';
import { deriveCsrfToken } from '../../../console/csrf.ts';
import { MAX_PASSWORD_LENGTH } from '../../../accounts/index.ts';
import { auditContextOf, setSessionCookie, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, sessionStateSchema, toUserView } from './schemas.ts';

export function postSignupRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/auth/signup',
    config: { consoleAccess: 'public' },
    schema: {
      summary: 'Create an account and sign in',
      tags: ['Console'],
      body: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', maxLength: 254 },
          password: { type: 'string', maxLength: MAX_PASSWORD_LENGTH },
        },
      },
      response: { 201: sessionStateSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { body } = request;
      const outcome = await signUp(db, {
        ...body,
        context: auditContextOf(request),
        now: now(),
        ipv6Prefix: config.ipv6LimitPrefix,
      });
      setSessionCookie(request, reply, outcome.token);
      return reply
        .code(201)
        .send({ user: toUserView(outcome.user), csrfToken: deriveCsrfToken(outcome.token) });
    },
  });
}
