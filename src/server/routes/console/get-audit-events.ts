/** `GET /console/api/audit?limit=N`: the caller's recent account events (sign-ins, 2FA, keys), newest first. */
import type { RouteOptions } from 'fastify';

import { listAuditEvents } from '../../../accounts/index.ts';
import { requireConsoleSession, type ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses } from './schemas.ts';

export const auditEventSchema = {
  type: 'object',
  required: ['id', 'type', 'ip', 'userAgent', 'details', 'createdAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    ip: { type: ['string', 'null'] },
    userAgent: { type: ['string', 'null'] },
    details: {
      type: 'object',
      description:
        'Small event facts (key name, subaccount, reason; a key edit’s before and after); never a secret',
      additionalProperties: {},
    },
    createdAt: { type: 'integer' },
  },
} as const;

export function getAuditEventsRoute({ db }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'GET',
    url: '/audit',
    schema: {
      summary: 'Recent account events',
      tags: ['Console'],
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } },
      },
      response: { 200: { type: 'array', items: auditEventSchema }, ...errorResponses },
    },
    handler: async (request) => {
      const { user } = requireConsoleSession(request);
      const { limit } = request.query;
      return listAuditEvents(db, user.id, { limit });
    },
  });
}
