/**
 * What console routes share with the console plugin: the signed-in session on the request, the routes' deps,
 * and the session cookie. Its own module so that routes and the plugin depend on it, never on each other.
 * The cookie is httpOnly, SameSite=Lax, and Secure whenever the request came over TLS.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

import type { User } from '../../accounts/index.ts';
import type { ConsoleConfig } from '../../console/console-config.ts';
import { SESSION_ABSOLUTE_MS, type Session } from '../../console/sessions.ts';
import { AppError } from '../../errors.ts';
import type { AddressBook, Exchange } from '../../exchange/index.ts';
import type { Store } from '../../store/create-database.ts';

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
  /** Custom permissions the operator declares for gateway routes (SIGNET_ROUTES); keys may be given these. */
  declaredPermissions: readonly string[];
  /** Whether the built-in exchange runs (SIGNET_EXCHANGE); the console hides its pages when it does not. */
  exchangeEnabled: boolean;
}

/** What the exchange pages and the withdrawal address book need besides; absent with SIGNET_EXCHANGE=off. */
export interface ConsoleExchangeDeps extends ConsoleRouteDeps {
  /** Balances, orders, fills, deposits and withdrawals for the exchange pages; sandbox funding. */
  exchange: Exchange;
  /** The withdrawal address book (Settings > Withdrawal addresses) and the console withdrawal rule. */
  addressBook: AddressBook;
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
  if (!request.consoleSession) throw AppError.of('SESSION_REQUIRED', 'Sign in to continue');
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
