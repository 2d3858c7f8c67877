/**
 * What the upstream learns about a forwarded request, and how it can tell the message came from Signet. Pure (the
 * clock is a parameter).
 *
 * Identity headers, set by Signet on every forwarded request and on nothing else:
 *   X-Signet-User          the key owner's user id (`usr_...`)
 *   X-Signet-Subaccount    the key's subaccount id (`sub_...`)
 *   X-Signet-Api-Key       the API key (the base64 public key; nothing secret)
 *   X-Signet-Permissions   every permission the key holds, comma-separated (`read,trade,transfers`)
 *   X-Signet-Instruction   the instruction the client signed
 *   X-Signet-Request-Id    Signet's request id (also in Signet's log and in its answer's X-Request-Id)
 * and, when SIGNET_UPSTREAM_SECRET is set:
 *   X-Signet-Timestamp     when Signet forwarded it (ms)
 *   X-Signet-Signature     `v1=` + base64url HMAC-SHA256(secret, upstreamSigningString(...))
 *
 * Invariants: every client header whose name starts with `x-signet-` is removed before these are set, so an
 * upstream never sees a client's spelling of them; the client's own auth headers (X-API-Key, X-Signature,
 * X-Timestamp, X-Window) are removed too, so nothing but Signet's verdict speaks for the caller.
 * Threat: an upstream that others can reach directly (no private network) cannot trust headers alone; the HMAC
 * binds method, request target, timestamp, every identity header and a SHA-256 of the body, so a forgery needs
 * the secret and a captured request cannot be replayed with another body or path. The upstream refuses a stale
 * timestamp and may remember request ids to refuse a replay within its tolerance (docs/GATEWAY.md).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface Identity {
  user: string;
  subaccount: string;
  apiKey: string;
  /** Comma-separated permission names. */
  permissions: string;
  instruction: string;
  requestId: string;
}

/** The identity headers in the order they are signed. */
export const IDENTITY_HEADERS = [
  'x-signet-user',
  'x-signet-subaccount',
  'x-signet-api-key',
  'x-signet-permissions',
  'x-signet-instruction',
  'x-signet-request-id',
] as const;
export const TIMESTAMP_HEADER = 'x-signet-timestamp';
export const SIGNATURE_HEADER = 'x-signet-signature';

/** The client's Backpack auth headers: Signet consumed them; the upstream gets its verdict instead. */
const CLIENT_AUTH_HEADERS = ['x-api-key', 'x-signature', 'x-timestamp', 'x-window'];

const SIGNATURE_VERSION = 'signet-gateway-v1';

export function identityHeaders(identity: Identity): Record<(typeof IDENTITY_HEADERS)[number], string> {
  return {
    'x-signet-user': identity.user,
    'x-signet-subaccount': identity.subaccount,
    'x-signet-api-key': identity.apiKey,
    'x-signet-permissions': identity.permissions,
    'x-signet-instruction': identity.instruction,
    'x-signet-request-id': identity.requestId,
  };
}

/** Removes, in place, every `x-signet-*` header and the client's auth headers (names as Node gives them: lowercase). */
export function stripClientHeaders(headers: Record<string, unknown>): void {
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-signet-') || CLIENT_AUTH_HEADERS.includes(name)) delete headers[name];
  }
}

export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * The string the HMAC covers, one item per line: a version tag, the method, the request target as the upstream
 * receives it (path and query), the timestamp, the six identity headers in IDENTITY_HEADERS order, and the hex
 * SHA-256 of the body bytes (of nothing when there is no body). No item can hold a line break: each is a
 * method, a request target or a header value.
 */
export function upstreamSigningString(input: {
  method: string;
  target: string;
  timestamp: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  bodySha256: string;
}): string {
  const lines = [SIGNATURE_VERSION, input.method.toUpperCase(), input.target, input.timestamp];
  for (const name of IDENTITY_HEADERS) {
    const value = input.headers[name];
    lines.push(typeof value === 'string' ? value : '');
  }
  lines.push(input.bodySha256);
  return lines.join('\n');
}

export function signUpstreamRequest(secret: string, signingString: string): string {
  return `v1=${createHmac('sha256', secret).update(signingString).digest('base64url')}`;
}

export type UpstreamCheck = { ok: true } | { ok: false; reason: string };

/**
 * What an upstream runs on every request (also exported by `signet/verify`): the timestamp within `toleranceMs`
 * of `now`, and the HMAC, compared in constant time. `target` is the request target as received (Node's
 * `req.url`), `body` the raw body bytes.
 */
export function verifyUpstreamRequest(
  secret: string,
  request: {
    method: string;
    target: string;
    headers: Readonly<Record<string, string | string[] | undefined>>;
    body?: Uint8Array | string;
  },
  options: { now?: number; toleranceMs?: number } = {},
): UpstreamCheck {
  const timestamp = request.headers[TIMESTAMP_HEADER];
  const signature = request.headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || !/^\d{1,16}$/.test(timestamp)) {
    return { ok: false, reason: 'missing or malformed X-Signet-Timestamp' };
  }
  if (typeof signature !== 'string') return { ok: false, reason: 'missing X-Signet-Signature' };
  const now = options.now ?? Date.now();
  if (Math.abs(now - Number(timestamp)) > (options.toleranceMs ?? 30_000)) {
    return { ok: false, reason: 'X-Signet-Timestamp is outside the tolerance' };
  }
  const expected = signUpstreamRequest(
    secret,
    upstreamSigningString({
      method: request.method,
      target: request.target,
      timestamp,
      headers: request.headers,
      bodySha256: sha256Hex(request.body ?? ''),
    }),
  );
  const given = Buffer.from(signature);
  const wanted = Buffer.from(expected);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return { ok: false, reason: 'X-Signet-Signature does not match' };
  }
  return { ok: true };
}
