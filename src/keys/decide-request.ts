/**
 * The verification decision for a signed request, as pure functions over what the service looked up. Each step is
 * one function; `signed-request-verifier.ts` calls them in this fixed order, which is part of the security model:
 *   1. malformed headers (400, protocol/signed-request.ts) and the time window (401, `decideWindow`) need no
 *      lookup, so replays and junk cost no I/O;
 *   2. an unknown, revoked or expired key is 401 UNAUTHORIZED `Invalid API key`, one answer for all three, so
 *      neither revocation nor expiry is observable (a key expiring at `t` is refused from `t` on) — `decideKey`.
 *      The refusal also carries the key's state (revoked, expired, retired by rotation) for the owner's usage
 *      view only; it never reaches the caller;
 *   3. a bad signature is 401 INVALID_SIGNATURE and shows the string the server rebuilt (nothing secret in it) —
 *      `decideSignature`;
 *   4. the key's IP allowlist: a client address not on it is 401 UNAUTHORIZED saying so — `decideAddress`. It
 *      comes after the signature, so only a holder of the secret learns that the key has a list;
 *   5. only an authenticated caller from an allowed address learns about permissions: an instruction whose
 *      permission (permissions.ts; a gateway route's declared one, built-in or custom) the key lacks is 403
 *      FORBIDDEN naming it — `decidePermission`;
 *   6. the key's subaccount binds the request: a `subaccountId` parameter naming another subaccount is 403 —
 *      `decideSubaccount`.
 * Each refusal carries a `reason`: the per-key usage counters (key-usage-recorder.ts) count by it, and callers that
 * answer in another vocabulary (the stream server's error frames) map by it, never by the message's wording.
 */
import { checkTimeWindow, type SignedRequest } from '../protocol/signed-request.ts';
import { allowlistFromStored, isAddressAllowed } from './ip-allowlist.ts';
import { isBuiltInPermission, PERMISSION_BITS, requiredPermission } from './permissions.ts';

export interface KeyForDecision {
  id: string;
  userId: string;
  subaccountId: string;
  /** Backpack's numeric subaccount id of the key's subaccount (0 = main). */
  subaccountNumber: number;
  /** Permission bit mask (permissions.ts). */
  permissions: number;
  /** The operator's custom permissions the key holds (gateway routes), sorted. */
  customPermissions: readonly string[];
  /** True when the key holds `read` alone (what Backpack clients and the seed call read-only). */
  readOnly: boolean;
  /** The stored allowlist (comma-separated canonical entries), or null for any address. */
  allowedIps: string | null;
  /** The first instant at which the key no longer works; null for never. */
  expiresAt: number | null;
  revokedAt: number | null;
  /** The key that replaced this one by rotation, if any: tells "retired" from "expired" for the owner. */
  replacedBy?: string | null;
}

export type DenyCode = 'UNAUTHORIZED' | 'INVALID_SIGNATURE' | 'FORBIDDEN' | 'INVALID_CLIENT_REQUEST';

/** Why a request that named a key was refused, as the usage counters count it. */
export type RefusalReason =
  'invalid_key' | 'expired_window' | 'bad_signature' | 'ip_not_allowed' | 'permission' | 'subaccount';

/** Why a known key was refused at step 2, for its owner's eyes only (the caller is told `Invalid API key`). */
export type KeyState = 'revoked' | 'expired' | 'retired';

export type Denial = {
  ok: false;
  code: DenyCode;
  message: string;
  reason: RefusalReason;
  /** Step 2 only, when the key exists: which of the uniformly answered states it is in. */
  keyState?: KeyState;
  /** Step 5 only: the permission the key lacks (a gateway route's may be the operator's own). */
  permission?: string;
};
export type Decision = { ok: true } | Denial;

const OK: Decision = { ok: true };

export const INVALID_KEY_MESSAGE = 'Invalid API key';

/** Step 1, after the headers parsed: a request is good while |now - timestamp| <= window (expired or future). */
export function decideWindow(
  request: Pick<SignedRequest, 'timestamp' | 'window'>,
  now: number,
  maxAgeMs?: number,
): Decision {
  const window = checkTimeWindow(request.timestamp, request.window, now, maxAgeMs);
  if (window.ok) return OK;
  return { ok: false, code: 'UNAUTHORIZED', message: window.message, reason: 'expired_window' };
}

/** Step 2: unknown, revoked and expired keys get the same answer; only `keyState` (never sent) differs. */
export function decideKey(key: KeyForDecision | undefined, now: number): Decision {
  const refused = {
    ok: false,
    code: 'UNAUTHORIZED',
    message: INVALID_KEY_MESSAGE,
    reason: 'invalid_key',
  } as const;
  if (!key) return refused;
  if (key.revokedAt !== null) return { ...refused, keyState: 'revoked' };
  if (key.expiresAt !== null && now >= key.expiresAt) {
    return { ...refused, keyState: key.replacedBy ? 'retired' : 'expired' };
  }
  return OK;
}

/** Step 3. */
export function decideSignature(request: SignedRequest, signatureValid: boolean): Decision {
  if (signatureValid) return OK;
  return {
    ok: false,
    code: 'INVALID_SIGNATURE',
    message: `Invalid signature. The server signed: ${request.signingString}`,
    reason: 'bad_signature',
  };
}

/** Step 4: `ip` is the client address as the server determined it (socket peer, or via a trusted proxy). */
export function decideAddress(key: KeyForDecision, ip: string): Decision {
  if (key.allowedIps === null || isAddressAllowed(allowlistFromStored(key.allowedIps), ip)) return OK;
  return {
    ok: false,
    code: 'UNAUTHORIZED',
    message: `This API key is not allowed from address ${ip}; add it to the key's IP allowlist`,
    reason: 'ip_not_allowed',
  };
}

/**
 * Step 5. `needed` is the permission a gateway route declares (built-in or custom); absent, the Backpack
 * instruction's own (permissions.ts).
 */
export function decidePermission(
  request: SignedRequest,
  key: KeyForDecision,
  needed: string = requiredPermission(request.route.instruction),
): Decision {
  const held = isBuiltInPermission(needed)
    ? (key.permissions & PERMISSION_BITS[needed]) !== 0
    : key.customPermissions.includes(needed);
  if (held) return OK;
  return {
    ok: false,
    code: 'FORBIDDEN',
    message: `This API key lacks the ${needed} permission needed for ${request.route.instruction}${
      key.readOnly ? ' (it is read-only)' : ''
    }`,
    reason: 'permission',
    permission: needed,
  };
}

/** Step 6. */
export function decideSubaccount(
  key: KeyForDecision,
  params: { subaccountId?: string | undefined },
): Decision {
  if (params.subaccountId !== undefined && params.subaccountId !== String(key.subaccountNumber)) {
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: 'This API key is bound to another subaccount',
      reason: 'subaccount',
    };
  }
  return OK;
}
