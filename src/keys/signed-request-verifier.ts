/**
 * The signed-request path: parse, check the window, look the key up, verify the signature, check permissions.
 * Decisions come from `decide-request.ts`; this module only does the I/O around them.
 *
 * The key record is read from the database on every request (an indexed lookup, ~10 us on SQLite), so a revoke
 * from any process — the console, the CLI, another node — is effective on the very next request. Only public
 * KeyObjects are cached (ed25519-node.ts), which holds nothing secret and nothing that grants access.
 */
import type { CompiledQuery, Kysely } from 'kysely';

import { verifyEd25519Async } from '../protocol/ed25519-node.ts';
import {
  checkTimeWindow,
  parseSignedRequest,
  type SignedRequest,
  type SignedRequestInput,
} from '../protocol/signed-request.ts';
import type { Database } from '../store/schema.ts';
import { decideKey, decidePermission, decideSignature, type KeyForDecision } from './decide-request.ts';
import { LastUseRecorder } from './last-use-recorder.ts';
import { ReplayGuard } from './replay-guard.ts';

export interface Caller extends KeyForDecision {
  apiKey: string;
  request: SignedRequest;
}

export type VerifyOutcome =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      code:
        | 'UNAUTHORIZED'
        | 'INVALID_SIGNATURE'
        | 'FORBIDDEN'
        | 'INVALID_CLIENT_REQUEST'
        | 'RESOURCE_NOT_FOUND'
        | 'TOO_MANY_REQUESTS';
      message: string;
    };

/**
 * Every `subaccountId` the request names, in the query and in the body. More than one is refused (400): with
 * `subaccountId=1&subaccountId=2` a route reading one and the binding check reading another could disagree.
 */
function subaccountParams(input: SignedRequestInput): string[] {
  const out = input.query.includes('subaccountId')
    ? new URLSearchParams(input.query).getAll('subaccountId')
    : [];
  const body = input.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? body.subaccountId : undefined;
  if (fromBody !== undefined && fromBody !== null) out.push(String(fromBody));
  return out;
}

/** Compiled once: the hot path skips Kysely's query building (the SQLite statement is cached by the store). */
function compileKeyLookup(db: Kysely<Database>) {
  return db
    .selectFrom('api_keys')
    .innerJoin('subaccounts', 'subaccounts.id', 'api_keys.subaccount_id')
    .select([
      'api_keys.id',
      'api_keys.user_id',
      'api_keys.subaccount_id',
      'api_keys.read_only',
      'api_keys.revoked_at',
      'subaccounts.number',
    ])
    .where('api_keys.api_key', '=', '')
    .compile();
}

type KeyRow = ReturnType<typeof compileKeyLookup> extends CompiledQuery<infer R> ? R : never;

export class SignedRequestVerifier {
  readonly lastUse: LastUseRecorder;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: {
      now?: () => number;
      onError?: (error: unknown) => void;
      /** Replay refusal (replay-guard.ts); a per-process guard for non-query instructions when absent. */
      replayGuard?: ReplayGuard;
    } = {},
  ) {
    this.lastUse = new LastUseRecorder(db, options.onError);
    this.replayGuard = options.replayGuard ?? new ReplayGuard();
    this.keyLookup = compileKeyLookup(db);
  }

  private readonly keyLookup: ReturnType<typeof compileKeyLookup>;
  readonly replayGuard: ReplayGuard;

  private async findKey(apiKey: string): Promise<KeyForDecision | undefined> {
    const { rows } = await this.db.executeQuery<KeyRow>({ ...this.keyLookup, parameters: [apiKey] });
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      userId: row.user_id,
      subaccountId: row.subaccount_id,
      subaccountNumber: Number(row.number),
      readOnly: row.read_only === 1,
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    };
  }

  private async verifySignature(request: SignedRequest): Promise<boolean> {
    if (await verifyEd25519Async(request.signingString, request.signature, request.apiKey)) return true;
    // Failure path only: other spellings real clients sign for unusual values (ccxt percent-encodes them).
    for (const candidate of request.alternativeSigningStrings()) {
      if (await verifyEd25519Async(candidate, request.signature, request.apiKey)) return true;
    }
    return false;
  }

  async verify(input: SignedRequestInput, meta: { ip: string }): Promise<VerifyOutcome> {
    const now = this.options.now?.() ?? Date.now();
    const parsed = parseSignedRequest(input);
    if (!parsed.ok) return parsed;
    const { request } = parsed;

    const subaccountIds = subaccountParams(input);
    if (subaccountIds.length > 1) {
      return { ok: false, code: 'INVALID_CLIENT_REQUEST', message: 'subaccountId may be given only once' };
    }

    const window = checkTimeWindow(request.timestamp, request.window, now);
    if (!window.ok) return { ok: false, code: 'UNAUTHORIZED', message: window.message };

    const key = await this.findKey(request.apiKey);
    const keyDecision = decideKey(key);
    if (!keyDecision.ok || !key) return keyDecision as VerifyOutcome;

    const signatureDecision = decideSignature(request, await this.verifySignature(request));
    if (!signatureDecision.ok) return signatureDecision;

    // Only a verified signature is remembered, so junk cannot fill the store; refused before anything runs.
    const replay = await this.replayGuard.claim(request, now);
    if (!replay.ok) return replay;

    const permission = decidePermission(request, key, { subaccountId: subaccountIds[0] });
    if (!permission.ok) return permission;

    this.lastUse.note(key.id, meta.ip, now);
    return { ok: true, caller: { ...key, apiKey: request.apiKey, request } };
  }
}
