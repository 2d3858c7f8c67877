/**
 * The signed Backpack API (`/api/v1`, `/wapi/v1` private routes), as one encapsulated plugin: signature auth is
 * registered here and only here. Every instruction in the protocol's table gets a route, so permissions are
 * uniform: a route that is not built yet still authenticates and checks permissions, then answers 501.
 *
 * Auth runs in `preValidation` (after the body is parsed, before schema validation), so an unauthenticated caller
 * learns nothing about a route's parameters, only that it must sign.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';

import { AppError } from '../../errors.ts';
import type { Caller } from '../../keys/index.ts';
import { INSTRUCTION_ROUTES } from '../../protocol/instructions.ts';
import type { AppDeps } from '../deps.ts';
import type { SchemaHandler } from '../schema-types.ts';
import { sendError } from './error-handler.ts';
import type { SignedLimits } from './rate-limits.ts';
import { SIGNED_SECURITY, signedAuthentication } from './signed-auth.ts';

export interface SignedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  schema?: FastifySchema;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** A signed route as written: its handler sees the body, query and params its schema lets through. */
export interface SchemaSignedRoute<Schema extends FastifySchema> extends Omit<
  SignedRoute,
  'schema' | 'handler'
> {
  schema: Schema;
  handler: SchemaHandler<Schema>;
}

/** Types a signed route's handler by its schema (schema-types.ts); the route list holds plain SignedRoutes. */
export function signedRoute<const Schema extends FastifySchema>(
  route: SchemaSignedRoute<Schema>,
): SignedRoute {
  return route as unknown as SignedRoute;
}

export async function signedApi(
  app: FastifyInstance,
  options: { deps: AppDeps; routes: SignedRoute[]; limits?: SignedLimits },
): Promise<void> {
  app.decorateRequest('caller', null as unknown as Caller);
  const authenticate = signedAuthentication(options.deps, options.limits);
  app.addHook('preValidation', async (request, reply) => {
    if (await authenticate(request, reply)) return reply;
  });

  const implemented = new Map(options.routes.map((route) => [`${route.method} ${route.url}`, route]));
  for (const entry of INSTRUCTION_ROUTES) {
    const route = implemented.get(`${entry.method} ${entry.path}`);
    implemented.delete(`${entry.method} ${entry.path}`);
    const summary = `${entry.instruction}${entry.kind === 'query' ? '' : ' (needs a full-access key)'}`;
    app.route({
      method: entry.method,
      url: entry.path,
      schema: { summary, security: SIGNED_SECURITY, ...route?.schema, ...(route ? {} : { hide: true }) },
      handler:
        route?.handler ??
        (async (_request, reply) =>
          sendError(
            reply,
            new AppError('NOT_IMPLEMENTED', `${entry.instruction} is not implemented by this server`),
          )),
    });
  }
  if (implemented.size > 0) {
    throw new Error(`Signed routes without an instruction: ${[...implemented.keys()].join(', ')}`);
  }
}
