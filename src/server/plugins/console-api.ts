/**
 * The console's JSON API under `/console/api`, as one encapsulated plugin: cookies, sessions and CSRF checks are
 * registered here and only here, never on the signed Backpack API.
 *
 * Every request: the session cookie (if any) is resolved to a live session and its user. Routes are private
 * unless their config says `consoleAccess: 'public'`; a private route without a session gets 401.
 * State-changing requests (anything but GET): the Origin/Referer must be this host when present (403
 * otherwise), the body must be `application/json` (415 otherwise, so plain HTML forms from elsewhere cannot
 * post), and with a session the `X-CSRF-Token` header must match it (403). All of this runs in `onRequest`,
 * before the body is read. Responses are `Cache-Control: no-store`.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { getUser, type User } from '../../console/accounts-service.ts';
import type { ConsoleConfig } from '../../console/console-config.ts';
import { CSRF_HEADER, isSameOrigin, isValidCsrfToken } from '../../console/csrf.ts';
import { RetryLaterError } from '../../console/retry-later-error.ts';
import { SESSION_ABSOLUTE_MS, findSession, type Session } from '../../console/sessions.ts';
import { AppError } from '../../errors.ts';
import { jsonTextExceedsDepth, MAX_BODY_DEPTH } from '../../protocol/json-depth.ts';
import type { Exchange } from '../../exchange/exchange-service.ts';
import type { Store } from '../../store/create-database.ts';
import { consoleRoutes } from '../routes/console/index.ts';
import { BODY_LIMIT_BYTES, sendError } from './error-handler.ts';

export const SESSION_COOKIE = 'signet_session';

export interface ConsoleSession {
  session: Session;
  /** The cookie token: needed to derive the CSRF token and to end the session; never logged. */
  token: string;
  user: User;
}

export interface ConsoleRouteDeps {
  db: Store;
  now: () => number;
  config: ConsoleConfig;
  /** Balances, orders, fills, deposits and withdrawals for the exchange pages; sandbox funding. */
  exchange: Exchange;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleSession: ConsoleSession | null;
    /** Whether the session cookie is marked Secure (TLS seen directly or via a trusted proxy, or configured). */
    cookieSecure: boolean;
  }
  interface FastifyContextConfig {
    /** 'public' for routes that work without a session (sign-up, sign-in, the session probe). */
    consoleAccess?: 'public';
  }
}

/** The signed-in caller of a private console route (the onRequest hook guarantees there is one). */
export function requireConsoleSession(request: FastifyRequest): ConsoleSession {
  if (!request.consoleSession) throw new AppError('UNAUTHORIZED', 'Sign in to continue');
  return request.consoleSession;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.cookieSecure,
    maxAge: Math.floor(SESSION_ABSOLUTE_MS / 1000),
  });
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    path: '/',
    secure: request.cookieSecure,
  });
}

export function auditContextOf(request: FastifyRequest): { ip: string; userAgent: string | null } {
  return { ip: request.ip, userAgent: request.headers['user-agent'] ?? null };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function consoleApi(app: FastifyInstance, options: ConsoleRouteDeps): Promise<void> {
  const { db, now } = options;
  await app.register(cookie);
  app.decorateRequest('consoleSession', null);
  app.decorateRequest('cookieSecure', false);
  const alwaysSecure = options.config.secureCookies === 'always';

  // Only JSON bodies here (the root parser accepts any type, as Backpack clients need; the console does not).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      if (typeof body !== 'string' || body.trim() === '') return done(null, undefined);
      if (jsonTextExceedsDepth(body, MAX_BODY_DEPTH))
        return done(new AppError('INVALID_CLIENT_REQUEST', 'Body is nested too deeply'), undefined);
      parseJson(request, body, (error: Error | null, value?: unknown) => {
        if (error) return done(new AppError('INVALID_CLIENT_REQUEST', 'Body is not valid JSON'), undefined);
        done(null, value);
      });
    },
  );

  app.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    // request.protocol reads X-Forwarded-Proto only from a trusted proxy (SIGNET_TRUST_PROXY).
    request.cookieSecure = alwaysSecure || request.protocol === 'https';
    const changesState = !SAFE_METHODS.has(request.method);
    if (changesState && !isSameOrigin(request.headers, request.host)) {
      return sendError(reply, new AppError('FORBIDDEN', 'Cross-origin request refused'));
    }

    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const session = await findSession(db, token, now());
      const user = session && (await getUser(db, session.userId));
      if (session && user) request.consoleSession = { session, token, user };
      else clearSessionCookie(request, reply);
    }

    if (request.routeOptions.config.consoleAccess === 'public') return;
    if (!request.consoleSession) {
      return sendError(reply, new AppError('UNAUTHORIZED', 'Your session has ended. Sign in to continue.'));
    }
    if (changesState && !isValidCsrfToken(request.consoleSession.token, headerValue(request, CSRF_HEADER))) {
      return sendError(
        reply,
        new AppError('FORBIDDEN', 'Missing or invalid CSRF token. Reload the page and try again.'),
      );
    }
  });

  // Adds Retry-After to throttling answers, then leaves the answer itself to the app's error handler.
  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof RetryLaterError) reply.header('Retry-After', String(error.retryAfterSeconds));
    throw error;
  });

  for (const route of consoleRoutes(options)) app.route(route);
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
