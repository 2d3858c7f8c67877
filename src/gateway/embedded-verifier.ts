/**
 * `import { createVerifier } from 'signet/verify'`: Signet's verification inside a Node service that does not want
 * a hop through the gateway. The same route file, the same verifier (keys/signed-request-verifier.ts: headers,
 * window, key, signature over the instruction and parameters, allowlist, expiry, permission, subaccount, replay)
 * and the same body rules (gateway-body.ts) as the gateway; the service gets the identity the gateway would send
 * as headers, or a refusal with the status and Backpack body to answer.
 *
 * Keys come from one of two places:
 * - `databaseUrl`: Signet's own database. Key records are cached and invalidated like the server's
 *   (key-cache.ts: no staleness on SQLite, a notification on PostgreSQL); last use and per-key usage are recorded
 *   there, so the console shows this service's traffic too.
 * - `signetUrl` + `token`: Signet's key endpoint (key-endpoint.ts, SIGNET_VERIFY_TOKEN). Records are cached for
 *   `cacheMs` (default 5 s): a revocation reaches this service within that bound. Nothing is recorded.
 * Replay refusal is this process's own, or shared through Redis with `redisUrl` (the server's keys: a request
 * replayed between this service and the gateway is refused too). Rate limits are the service's business.
 *
 * Outcomes are values (`{ ok: false, status, code, message }`); an outage (the database or the key endpoint
 * unreachable) throws.
 */
import sjson from 'secure-json-parse';

import { ERROR_STATUS, type ErrorCode } from '../errors.ts';
import {
  isBuiltInPermission,
  openKeyCache,
  PERMISSION_BITS,
  permissionNames,
  ReplayGuard,
  SignedRequestVerifier,
  type KeyForDecision,
} from '../keys/index.ts';
import type { InstructionRoute } from '../protocol/instructions.ts';
import type { HeaderBag } from '../protocol/signed-request.ts';
import { openStore, type Store } from '../store/create-database.ts';
import { RedisLink } from '../store/redis-link.ts';
import { readGatewayBody } from './gateway-body.ts';
import { readRouteFile } from './gateway-config.ts';
import { KEY_ENDPOINT_PATH, type KeyRecordView } from './key-endpoint.ts';
import { parseRouteFile, type GatewayRoute } from './route-file.ts';
import { RouteMatcher } from './route-match.ts';

export { verifyUpstreamRequest, type UpstreamCheck } from './identity-headers.ts';

export const DEFAULT_KEY_CACHE_MS = 5000;

export interface VerifierOptions {
  /** The route file (a path, or its parsed content): the same as the gateway's. */
  routes: string | Record<string, unknown>;
  /** Signet's database (`sqlite:`/file path or `postgres://`). */
  databaseUrl?: string;
  /** Signet's base URL, for keys over its key endpoint (with `token`, SIGNET_VERIFY_TOKEN). */
  signetUrl?: string;
  token?: string;
  /** How long a key record read over HTTP is used before it is read again (ms, default 5000). */
  cacheMs?: number;
  /** Share replay refusal with the gateway and other services. */
  redisUrl?: string;
  now?: () => number;
}

export interface VerifyInput {
  method: string;
  /** The request target as received: path and query (`req.url` in Node). */
  url: string;
  headers: HeaderBag;
  /** The raw body bytes (or text); absent or empty for none. */
  body?: Uint8Array | string;
  /** The client's address, for the key's IP allowlist. */
  ip: string;
}

export interface Identity {
  user: string;
  subaccount: string;
  apiKey: string;
  permissions: string[];
  instruction: string;
}

export type Verdict =
  | { ok: true; identity: Identity; route: GatewayRoute }
  | { ok: false; status: number; code: ErrorCode; message: string };

export interface Verifier {
  verify(input: VerifyInput): Promise<Verdict>;
  /** Writes pending usage and closes the database or Redis connections. */
  close(): Promise<void>;
}

function refusal(code: ErrorCode, message: string): Verdict {
  return { ok: false, status: ERROR_STATUS[code], code, message };
}

function toKeyForDecision(view: KeyRecordView): KeyForDecision {
  let permissions = 0;
  const custom: string[] = [];
  for (const name of view.permissions) {
    if (isBuiltInPermission(name)) permissions |= PERMISSION_BITS[name];
    else custom.push(name);
  }
  return {
    id: view.id,
    userId: view.userId,
    subaccountId: view.subaccountId,
    subaccountNumber: view.subaccountNumber,
    permissions,
    customPermissions: custom,
    readOnly: permissions === PERMISSION_BITS.read && custom.length === 0,
    allowedIps: view.allowedIps,
    expiresAt: view.expiresAt,
    revokedAt: view.revokedAt,
  };
}

/** Key records over Signet's key endpoint, each kept `cacheMs`; concurrent reads of one key share a request. */
function httpKeySource(options: {
  signetUrl: string;
  token: string;
  cacheMs: number;
  now: () => number;
}): (apiKey: string) => Promise<KeyForDecision | undefined> {
  const cache = new Map<string, { at: number; record: Promise<KeyForDecision | undefined> }>();
  const base = options.signetUrl.replace(/\/+$/, '');
  const read = async (apiKey: string): Promise<KeyForDecision | undefined> => {
    const response = await fetch(`${base}${KEY_ENDPOINT_PATH}?apiKey=${encodeURIComponent(apiKey)}`, {
      headers: { authorization: `Bearer ${options.token}` },
    });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`Signet's key endpoint answered ${response.status}`);
    return toKeyForDecision((await response.json()) as KeyRecordView);
  };
  return (apiKey) => {
    const now = options.now();
    const cached = cache.get(apiKey);
    if (cached !== undefined && now - cached.at < options.cacheMs) return cached.record;
    const record = read(apiKey);
    if (cache.size >= 100_000) cache.delete(cache.keys().next().value as string);
    cache.set(apiKey, { at: now, record });
    // A failed or unknown read is not kept: the next request asks again (a key created a moment later works).
    record.then(
      (found) => found === undefined && cache.delete(apiKey),
      () => cache.delete(apiKey),
    );
    return record;
  };
}

export async function createVerifier(options: VerifierOptions): Promise<Verifier> {
  const file =
    typeof options.routes === 'string'
      ? readRouteFile(options.routes, { exchange: false })
      : parseRouteFile(options.routes, { exchange: false });
  const matcher = new RouteMatcher(file.routes);
  const now = options.now ?? Date.now;
  const log = {
    warn: (message: string) => process.emitWarning(`signet/verify: ${message}`),
    info: (message: string) => process.emitWarning(`signet/verify: ${message}`),
  };
  const redis = options.redisUrl === undefined ? undefined : new RedisLink(options.redisUrl, log);
  const replayGuard = new ReplayGuard({ redis, log });

  let db: Store | undefined;
  let verifier: SignedRequestVerifier;
  let closeCache = async (): Promise<void> => {};
  if (options.databaseUrl !== undefined) {
    db = await openStore(options.databaseUrl);
    const keyCache = await openKeyCache<KeyForDecision>(db, {
      databaseUrl: options.databaseUrl,
      enabled: true,
    });
    closeCache = () => keyCache.close();
    verifier = new SignedRequestVerifier(db, { keyCache, replayGuard, now });
  } else if (options.signetUrl !== undefined && options.token !== undefined) {
    const findKey = httpKeySource({
      signetUrl: options.signetUrl,
      token: options.token,
      cacheMs: options.cacheMs ?? DEFAULT_KEY_CACHE_MS,
      now,
    });
    verifier = new SignedRequestVerifier(undefined, { findKey, replayGuard, now });
  } else {
    throw new TypeError('createVerifier needs databaseUrl, or signetUrl and token');
  }

  return {
    async verify(input) {
      const index = input.url.indexOf('?');
      const path = index === -1 ? input.url : input.url.slice(0, index);
      const query = index === -1 ? '' : input.url.slice(index + 1);
      const match = matcher.match(input.method, path);
      if (match === undefined) {
        return refusal('RESOURCE_NOT_FOUND', `No gateway route ${input.method.toUpperCase()} ${path}`);
      }
      const bytes =
        typeof input.body === 'string' ? Buffer.from(input.body) : (input.body ?? new Uint8Array());
      if (match.route.method === 'GET' && bytes.length > 0) {
        return refusal('INVALID_CLIENT_REQUEST', 'A GET request carries no body');
      }
      const read = readGatewayBody(bytes);
      if (!read.ok) return refusal('INVALID_CLIENT_REQUEST', read.message);
      let body: unknown;
      if (read.text !== undefined) {
        try {
          body = sjson.parse(read.text, undefined, { protoAction: 'error', constructorAction: 'error' });
        } catch {
          return refusal('INVALID_CLIENT_REQUEST', 'Body is not valid JSON');
        }
      }
      const route: InstructionRoute = {
        method: match.route.method,
        path: match.route.path,
        instruction: match.route.instruction,
        kind: match.route.replay ? 'trade' : 'query',
      };
      const outcome = await verifier.verify(
        {
          method: match.route.method,
          path: match.route.path,
          query,
          body,
          rawBody: read.text,
          headers: input.headers,
          route,
          pathParams: match.params,
        },
        { ip: input.ip, permission: match.route.permission },
      );
      if (!outcome.ok) return refusal(outcome.code, outcome.message);
      const { caller } = outcome;
      return {
        ok: true,
        route: match.route,
        identity: {
          user: caller.userId,
          subaccount: caller.subaccountId,
          apiKey: caller.apiKey,
          permissions: permissionNames(caller.permissions, caller.customPermissions),
          instruction: match.route.instruction,
        },
      };
    },
    async close() {
      await verifier.close();
      await closeCache();
      await redis?.close();
      await db?.destroy();
    },
  };
}
