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
import { sendError } from './error-handler.ts';
import type { SignedLimits } from './rate-limits.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

export interface SignedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  schema?: FastifySchema;
  handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** Failed authentications that count against the caller's address (rate-limits.ts). */
const AUTH_FAILURES = new Set(['UNAUTHORIZED', 'INVALID_SIGNATURE']);

export const SIGNED_SECURITY = [{ 'X-API-Key': [], 'X-Signature': [], 'X-Timestamp': [], 'X-Window': [] }];

function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const index = url.indexOf('?');
  return index === -1 ? '' : url.slice(index + 1);
}

export async function signedApi(
  app: FastifyInstance,
  options: { deps: AppDeps; routes: SignedRoute[]; limits?: SignedLimits },
): Promise<void> {
  const { limits } = options;
  const { verifier } = options.deps;
  app.decorateRequest('caller', null as unknown as Caller);

  const { metrics } = options.deps;
  app.addHook('preValidation', async (request, reply) => {
    // An address that keeps failing authentication is refused before any signature is verified.
    if (limits && (await limits.refuseFailingAddress(request, reply))) return reply;
    const started = metrics === undefined ? 0 : performance.now();
    const outcome = await verifier.verify(
      {
        method: request.method,
        path: request.routeOptions.url ?? request.url,
        query: rawQuery(request),
        body: request.body,
        rawBody: request.rawBody,
        headers: request.headers,
      },
      { ip: request.ip },
    );
    metrics?.verified((performance.now() - started) / 1000, outcome.ok ? undefined : outcome.code);
    if (!outcome.ok) {
      if (limits && AUTH_FAILURES.has(outcome.code)) await limits.countFailure(request);
      return sendError(reply, new AppError(outcome.code, outcome.message));
    }
    request.caller = outcome.caller;
    if (limits && (await limits.refuseBusySubaccount(request, reply))) return reply;
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
