/**
 * `GET /console/api/keys/:id/usage`: the key's requests per minute over the last 24 h (successes and refusals by
 * reason) and its recent refusals, so a person can see that their bot is failing and why. Counts trail the
 * requests by a few seconds (they are written in batches).
 */
import type { RouteOptions } from 'fastify';

import { getKeyUsage } from '../../../keys/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { errorResponses, keyIdParamsSchema } from './schemas.ts';

const COUNTS = ['ok', 'invalidKey', 'expiredWindow', 'badSignature', 'ipNotAllowed', 'permission'] as const;
const countProperties = Object.fromEntries(COUNTS.map((name) => [name, { type: 'integer' }]));

export function getApiKeyUsageRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return {
    method: 'GET',
    url: '/keys/:id/usage',
    schema: {
      summary: 'Requests per minute for one API key (last 24 h) and its recent refusals',
      tags: ['Console'],
      params: keyIdParamsSchema,
      response: {
        200: {
          type: 'object',
          required: ['keyId', 'from', 'to', 'minutes', 'totals', 'refusals'],
          additionalProperties: false,
          properties: {
            keyId: { type: 'string' },
            from: { type: 'integer' },
            to: { type: 'integer' },
            minutes: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: { minute: { type: 'integer' }, ...countProperties },
              },
            },
            totals: { type: 'object', additionalProperties: false, properties: countProperties },
            refusals: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  at: { type: 'integer' },
                  reason: { type: 'string' },
                  ip: { type: 'string' },
                  instruction: { type: ['string', 'null'] },
                  message: { type: 'string' },
                },
              },
            },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params as { id: string };
      return getKeyUsage(db, { keyId: id, userId: user.id, now: now() });
    },
  };
}
