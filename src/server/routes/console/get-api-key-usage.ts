/**
 * `GET /console/api/keys/:id/usage?range=1h|24h|7d`: the key's requests over the range in buckets (per minute for
 * 1 h, per 15 minutes for 24 h, per 2 hours for 7 days), successes and refusals by reason, and a sample of its
 * recent refusals, so a person can see that their bot is failing and why. A dead key's refusals are told apart
 * here (revoked, expired, retired by rotation) although its caller was answered the uniform `Invalid API key`.
 * Counts trail the requests by a few seconds (they are written in batches).
 */
import type { RouteOptions } from 'fastify';

import { getKeyUsage, parseUsageRange, USAGE_COUNT_FIELDS } from '../../../keys/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, keyIdParamsSchema } from './schemas.ts';

const countProperties = Object.fromEntries(USAGE_COUNT_FIELDS.map((name) => [name, { type: 'integer' }]));
const countsSchema = {
  type: 'object',
  required: [...USAGE_COUNT_FIELDS],
  additionalProperties: false,
  properties: countProperties,
};

export function getApiKeyUsageRoute({ db, now }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/keys/:id/usage',
    schema: {
      summary: 'Requests of one API key over 1 h, 24 h or 7 days, by outcome, and its recent refusals',
      tags: ['Console'],
      params: keyIdParamsSchema,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { range: { type: 'string', enum: ['1h', '24h', '7d'], default: '1h' } },
      },
      response: {
        200: {
          type: 'object',
          required: [
            'keyId',
            'range',
            'bucketMs',
            'from',
            'to',
            'buckets',
            'totals',
            'refusals',
            'refusalSample',
          ],
          additionalProperties: false,
          properties: {
            keyId: { type: 'string' },
            range: { type: 'string', enum: ['1h', '24h', '7d'] },
            bucketMs: { type: 'integer', description: 'Size of each bucket: 60000, 900000 or 7200000' },
            from: { type: 'integer', description: 'Start of the first bucket (ms)' },
            to: { type: 'integer', description: 'The server time of the answer (ms)' },
            buckets: {
              type: 'array',
              items: {
                type: 'object',
                required: ['start', ...USAGE_COUNT_FIELDS],
                additionalProperties: false,
                properties: { start: { type: 'integer' }, ...countProperties },
              },
            },
            totals: countsSchema,
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
                  permission: { type: ['string', 'null'], enum: ['read', 'trade', 'withdraw', null] },
                  message: { type: 'string', description: 'What the caller was answered' },
                },
              },
            },
            refusalSample: {
              type: 'object',
              required: ['perReasonPerMinute', 'limit'],
              additionalProperties: false,
              description:
                'Refusals are sampled: at most this many per reason and minute, the newest `limit`',
              properties: { perReasonPerMinute: { type: 'integer' }, limit: { type: 'integer' } },
            },
          },
        },
        ...errorResponses,
      },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { id } = request.params;
      const { range } = request.query;
      return getKeyUsage(db, { keyId: id, userId: user.id, now: now(), range: parseUsageRange(range) });
    },
  });
}
