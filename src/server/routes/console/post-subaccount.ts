/**
 * `POST /console/api/subaccounts`: creates a named subaccount for the caller, up to the operator's cap
 * (SIGNET_MAX_SUBACCOUNTS_PER_USER, 400 SUBACCOUNT_LIMIT past it).
 */
import type { RouteOptions } from 'fastify';

import { createSubaccount, DEFAULT_MAX_SUBACCOUNTS_PER_USER } from '../../../accounts/index.ts';
import {
  auditContextOf,
  requireConsoleSession,
  type ConsoleRouteDeps,
} from '../../plugins/console-session.ts';
import { schemaRoute } from '../../schema-types.ts';
import { errorResponses, subaccountSchema, toSubaccountView } from './schemas.ts';

export function postSubaccountRoute({ db, now, config }: ConsoleRouteDeps): RouteOptions {
  return schemaRoute({
    method: 'POST',
    url: '/subaccounts',
    schema: {
      summary: 'Create a subaccount',
      tags: ['Console'],
      body: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: { name: { type: 'string', maxLength: 64 } },
      },
      response: { 201: subaccountSchema, ...errorResponses },
    },
    handler: async (request, reply) => {
      const { user } = requireConsoleSession(request);
      const { name } = request.body;
      const subaccount = await createSubaccount(db, {
        userId: user.id,
        name,
        maxSubaccounts: config.maxSubaccountsPerUser ?? DEFAULT_MAX_SUBACCOUNTS_PER_USER,
        context: auditContextOf(request),
        now: now(),
      });
      return reply.code(201).send(toSubaccountView(subaccount));
    },
  });
}
