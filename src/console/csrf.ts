/**
 * Cross-site request forgery defences for the console API, as pure functions (the plugin applies them):
 *
 * 1. A per-session token, derived from the session cookie token with HMAC-SHA256 (so nothing extra is stored and
 *    it dies with the session). The SPA reads it from `GET /console/api/session` and sends it back in
 *    `X-CSRF-Token` on every state-changing request; another site cannot read it, so it cannot send it.
 * 2. An Origin (or, without Origin, Referer) check: when the browser says where a request comes from, it must be
 *    this server's own host.
 * 3. (in the plugin) bodies must be `application/json`, which a cross-site HTML form cannot send.
 * Plus `SameSite=Lax` on the cookie. Threat: a page on another origin making the signed-in browser act.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-csrf-token';

export function deriveCsrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('signet console csrf v1').digest('base64url');
}

/** Constant-time comparison of the header value with the session's token. */
export function isValidCsrfToken(sessionToken: string, presented: string | undefined): boolean {
  if (typeof presented !== 'string' || presented === '') return false;
  const expected = Buffer.from(deriveCsrfToken(sessionToken));
  const actual = Buffer.from(presented);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Whether the request's declared origin is this host. A request with neither Origin nor Referer (curl, some
 * privacy settings) passes this check and still needs the CSRF token; `Origin: null` (sandboxed frames, file:)
 * and unparsable values fail.
 */
export function isSameOrigin(headers: { origin?: string; referer?: string }, host: string): boolean {
  const declared = headers.origin ?? headers.referer;
  if (declared === undefined) return true;
  try {
    const from = new URL(declared);
    // Parse our host with the declared scheme, so default ports compare equal (`host:80` vs `http://host`).
    return from.host === new URL(`${from.protocol}//${host}`).host;
  } catch {
    return false;
  }
}
