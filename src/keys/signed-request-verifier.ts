/**
 * The signed-request path: parse, check the window, look the key up, verify the signature, check permissions.
 * Decisions come from `decide-request.ts`; this module only does the I/O around them.
 *
 * Key records come through a KeyCache (key-cache.ts) when one is given: the database is read on a miss, and a
 * change to a key made by any process (console, CLI, another node) invalidates the cached record through the
 * database's key epoch. Without one, the record is read on every request. Public KeyObjects are cached too
 * (ed25519-node.ts); neither holds anything secret.
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
import { uncachedKeys, type KeyCache } from './key-cache.ts';
import { decideKey, decidePermission, decideSignature, type KeyForDecision } from './decide-request.ts';
import { LastUseRecorder } from './last-use-recorder.ts';

export interface Caller extends KeyForDecision {
  apiKey: string;
  request: SignedRequest;
}

export type VerifyOutcome =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      code:
        'UNAUTHORIZED' | 'INVALID_SIGNATURE' | 'FORBIDDEN' | 'INVALID_CLIENT_REQUEST' | 'RESOURCE_NOT_FOUND';
      message: string;
    };

function subaccountParam(input: SignedRequestInput): string | undefined {
  const fromQuery = input.query.includes('subaccountId')
    ? new URLSearchParams(input.query).get('subaccountId')
    : null;
  if (fromQuery !== null) return fromQuery;
  const body = input.body as Record<string, unknown> | undefined;
  const fromBody = body && typeof body === 'object' && !Array.isArray(body) ? body.subaccountId : undefined;
  return fromBody === undefined || fromBody === null ? undefined : String(fromBody);
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
      keyCache?: KeyCache<KeyForDecision>;
    } = {},
  ) {
    this.lastUse = new LastUseRecorder(db, options.onError);
    this.keyLookup = compileKeyLookup(db);
    this.keys = options.keyCache ?? uncachedKeys();
  }

  readonly keys: KeyCache<KeyForDecision>;
  private readonly loadKey = (apiKey: string): Promise<KeyForDecision | undefined> => this.findKey(apiKey);

  private readonly keyLookup: ReturnType<typeof compileKeyLookup>;

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

    const window = checkTimeWindow(request.timestamp, request.window, now);
    if (!window.ok) return { ok: false, code: 'UNAUTHORIZED', message: window.message };

    const key = await this.keys.lookup(request.apiKey, this.loadKey);
    const keyDecision = decideKey(key);
    if (!keyDecision.ok || !key) return keyDecision as VerifyOutcome;

    const signatureDecision = decideSignature(request, await this.verifySignature(request));
    if (!signatureDecision.ok) return signatureDecision;

    const permission = decidePermission(request, key, { subaccountId: subaccountParam(input) });
    if (!permission.ok) return permission;

    this.lastUse.note(key.id, meta.ip, now);
    return { ok: true, caller: { ...key, apiKey: request.apiKey, request } };
  }
}
