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
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';

import { getUser } from '../../accounts/index.ts';
import { CSRF_HEADER, isSameOrigin, isValidCsrfToken } from '../../console/csrf.ts';
import { RetryLaterError } from '../../console/retry-later-error.ts';
import type { ConsoleConfig } from '../../console/console-config.ts';
import { findSession } from '../../console/sessions.ts';
import { AppError } from '../../errors.ts';
import { jsonTextExceedsDepth, MAX_BODY_DEPTH } from '../../protocol/json-depth.ts';
import type { Store } from '../../store/create-database.ts';
import { SESSION_COOKIE, clearSessionCookie } from './console-session.ts';
import { BODY_LIMIT_BYTES, sendError } from './error-handler.ts';

export interface ConsoleApiOptions {
  db: Store;
  now: () => number;
  /** The console's routes, built by the app (the plugin knows no route, so routes can depend on it freely). */
  routes: readonly RouteOptions[];
  /** The operator's console settings (Secure cookies). */
  config: ConsoleConfig;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function consoleApi(app: FastifyInstance, options: ConsoleApiOptions): Promise<void> {
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
    request.sendsErrorDetail = true;
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
        AppError.of('CSRF_TOKEN_INVALID', 'Missing or invalid CSRF token. Reload the page and try again.'),
      );
    }
  });

  // Adds Retry-After to throttling answers, then leaves the answer itself to the app's error handler.
  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof RetryLaterError) reply.header('Retry-After', String(error.retryAfterSeconds));
    throw error;
  });

  for (const route of options.routes) app.route(route);
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
