/**
 * The verification decision for a signed request, as a pure function over what the service looked up.
 * Order matters and is part of the security model:
 *   1. malformed headers (400) and the time window (401) need no lookup, so replays and junk cost no I/O;
 *   2. an unknown or revoked key is 401 UNAUTHORIZED, the same answer for both, so revocation is not observable;
 *   3. a bad signature is 401 INVALID_SIGNATURE and shows the string the server rebuilt (nothing secret in it);
 *   4. only an authenticated caller learns about permissions: read-only keys get 403 on any non-query instruction;
 *   5. the key's subaccount binds the request: a `subaccountId` parameter naming another subaccount is 403.
 */
import type { SignedRequest } from '../protocol/signed-request.ts';

export interface KeyForDecision {
  id: string;
  userId: string;
  subaccountId: string;
  /** Backpack's numeric subaccount id of the key's subaccount (0 = main). */
  subaccountNumber: number;
  readOnly: boolean;
  revokedAt: number | null;
}

export type DenyCode = 'UNAUTHORIZED' | 'INVALID_SIGNATURE' | 'FORBIDDEN' | 'INVALID_CLIENT_REQUEST';

export type Decision = { ok: true } | { ok: false; code: DenyCode; message: string };

export function decideKey(key: KeyForDecision | undefined): Decision {
  if (!key || key.revokedAt !== null) return { ok: false, code: 'UNAUTHORIZED', message: 'Invalid API key' };
  return { ok: true };
}

export function decideSignature(request: SignedRequest, signatureValid: boolean): Decision {
  if (signatureValid) return { ok: true };
  return {
    ok: false,
    code: 'INVALID_SIGNATURE',
    message: `Invalid signature. The server signed: ${request.signingString}`,
  };
}

export function decidePermission(
  request: SignedRequest,
  key: KeyForDecision,
  params: { subaccountId?: string | undefined },
): Decision {
  if (key.readOnly && request.route.kind !== 'query') {
    return {
      ok: false,
      code: 'FORBIDDEN',
      message: `This API key is read-only and cannot use ${request.route.instruction}`,
    };
  }
  if (params.subaccountId !== undefined && params.subaccountId !== String(key.subaccountNumber)) {
    return { ok: false, code: 'FORBIDDEN', message: 'This API key is bound to another subaccount' };
  }
  return { ok: true };
}
