/**
 * Authentication of a signed request, the one step every signed route runs: the Backpack API (signed-api.ts) and
 * the gateway's routes (src/gateway/). In order: an address that keeps failing is refused before any signature
 * is verified; the verifier authenticates (keys/signed-request-verifier.ts); a refusal is answered in Backpack's
 * format and counted against the address; an authenticated request is counted against its subaccount's limits,
 * and only a request the limits let through is admitted (replay refusal: its signature is claimed), so requests
 * the limits refuse take no room in the shared replay store.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

import { AppError } from '../../errors.ts';
import type { Caller, SignedRequestVerifier } from '../../keys/index.ts';
import type { InstructionRoute } from '../../protocol/instructions.ts';
import type { Metrics } from '../metrics.ts';
import { sendError } from './error-handler.ts';
import type { SignedLimits } from './rate-limits.ts';

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller;
  }
}

/** The OpenAPI security requirement of every signed route. */
export const SIGNED_SECURITY = [{ 'X-API-Key': [], 'X-Signature': [], 'X-Timestamp': [], 'X-Window': [] }];

/** Failed authentications that count against the caller's address (rate-limits.ts). */
const AUTH_FAILURES = new Set(['UNAUTHORIZED', 'INVALID_SIGNATURE']);

export function rawQuery(request: FastifyRequest): string {
  const url = request.raw.url ?? '';
  const index = url.indexOf('?');
  return index === -1 ? '' : url.slice(index + 1);
}

/** A route the caller resolved itself (a gateway route): its instruction, permission and rate-limit class. */
export interface SignedTarget {
  route: InstructionRoute;
  permission: string;
  /** `history`, or a class of the gateway's route file with its own per-minute maximum. */
  limitClass?: { name: string; perMinute?: number };
}

/**
 * Authenticates a signed request, as a preValidation step: the failing-address limit, the verifier, the refusal
 * in Backpack's format, then the subaccount's limits. Answers and returns true when it refused; otherwise sets
 * `request.caller`. The Backpack API and the gateway (src/gateway/) both run exactly this.
 */
export type AuthenticateSigned = (
  request: FastifyRequest,
  reply: FastifyReply,
  target?: SignedTarget,
  /** The target's path parameters (`/v1/things/:id`), signed with the query and body. */
  pathParams?: Readonly<Record<string, string>>,
) => Promise<boolean>;

export function signedAuthentication(
  deps: { verifier: SignedRequestVerifier; metrics?: Metrics },
  limits: SignedLimits | undefined,
): AuthenticateSigned {
  const { verifier, metrics } = deps;
  return async (request, reply, target, pathParams) => {
    // An address that keeps failing authentication is refused before any signature is verified.
    if (limits && (await limits.refuseFailingAddress(request, reply))) return true;
    const started = metrics === undefined ? 0 : performance.now();
    const outcome = await verifier.authenticate(
      {
        method: request.method,
        path: request.routeOptions.url ?? request.url,
        query: rawQuery(request),
        body: request.body,
        rawBody: request.rawBody,
        headers: request.headers,
        ...(target === undefined ? {} : { route: target.route, pathParams: pathParams ?? {} }),
      },
      { ip: request.ip, ...(target === undefined ? {} : { permission: target.permission }) },
    );
    metrics?.verified((performance.now() - started) / 1000, outcome.ok ? undefined : outcome.code);
    if (!outcome.ok) {
      if (limits && AUTH_FAILURES.has(outcome.code)) await limits.countFailure(request);
      await sendError(reply, new AppError(outcome.code, outcome.message));
      return true;
    }
    request.caller = outcome.caller;
    if (limits !== undefined && (await limits.refuseBusySubaccount(request, reply, target?.limitClass))) {
      return true;
    }
    const admitted = await verifier.admit(outcome.caller, request.ip);
    if (!admitted.ok) {
      if (limits && AUTH_FAILURES.has(admitted.code)) await limits.countFailure(request);
      await sendError(reply, new AppError(admitted.code, admitted.message));
      return true;
    }
    return false;
  };
}
