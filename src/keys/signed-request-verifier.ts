/**
 * The signed-request path: parse, check the window, look the key up, verify the signature, then the key's
 * controls. Decisions come from `decide-request.ts`; this module only does the I/O around them, in one fixed
 * order (documented there and in docs/PROTOCOL.md):
 *   1. parse the headers (400) and check the time window (401) — no I/O;
 *   2. look the key up (`findKey`: one indexed read) — unknown, revoked or expired: 401 `Invalid API key`;
 *   3. verify the ED25519 signature — 401 INVALID_SIGNATURE;
 *   4. the key's IP allowlist against the client address — 401 UNAUTHORIZED;
 *   5. the instruction's permission (read, trade, withdraw; or the one a gateway route declares, which may be
 *      an operator's custom permission) — 403 FORBIDDEN naming it;
 *   6. the subaccount binding — 403 FORBIDDEN;
 *   7. replay: a mutating request whose signature was already accepted in its window — 401 (replay-guard.ts).
 * Steps 1-6 are `authenticate`, step 7 is `admit`: the signed API runs the subaccount's rate limits between the
 * two (server/plugins/signed-auth.ts), so a request the limits refuse never takes a replay entry (a tenant cannot
 * fill the shared store with requests that were refused anyway). `verify` runs both, for callers without limits.
 *
 * Key records come through a KeyCache (key-cache.ts) when one is given: the database is read on a miss, and a
 * change to a key made by any process (console, CLI, another node) invalidates the cached record through the
 * database's key epoch. Without one, the record is read on every request. Expiry is decided per request from the
 * record, so a cached key still expires on time. Public KeyObjects (ed25519-node.ts) and parsed allowlists (by
 * their text) are cached too; none of it holds anything secret. Outcomes are counted per key for the console
 * (usage recorder, written in batches off this path).
 *
 * Without a database (the embedded verifier reading keys over Signet's key endpoint, src/gateway/), key records
 * come from `findKey` and nothing is recorded: last use and usage live where the database is.
 */
import type { CompiledQuery, Kysely } from 'kysely';

import { verifyEd25519Async } from '../protocol/ed25519-node.ts';
import {
  parseSignedRequest,
  type ParseRefusalReason,
  type SignedRequest,
  type SignedRequestInput,
} from '../protocol/signed-request.ts';
import type { Database } from '../store/schema.ts';
import {
  decideAddress,
  decideKey,
  decidePermission,
  decideSignature,
  decideSubaccount,
  decideWindow,
  type Denial,
  type KeyForDecision,
  type RefusalReason,
} from './decide-request.ts';
import { KeyUsageRecorder } from './key-usage-recorder.ts';
import { uncachedKeys, type KeyCache } from './key-cache.ts';
import { LastUseRecorder } from './last-use-recorder.ts';
import { customPermissionsOfStored, isReadOnly } from './permissions.ts';
import type { ReplayOutcome } from './replay-decision.ts';
import { ReplayGuard } from './replay-guard.ts';

export interface Caller extends KeyForDecision {
  apiKey: string;
  request: SignedRequest;
  /** When the request was authenticated (the verifier's clock): `admit` judges the replay at this instant. */
  at: number;
}

/**
 * Why a request was refused, as the step that refused it decided: reading it (protocol/signed-request.ts), a
 * `subaccountId` given twice, the decisions (decide-request.ts) or replay (replay-decision.ts). Callers that answer
 * in another vocabulary map by it (the stream server), never by the message's wording.
 */
export type VerifyRefusalReason =
  | ParseRefusalReason
  | 'ambiguous_subaccount'
  | RefusalReason
  | Extract<ReplayOutcome, { ok: false }>['reason'];

export type VerifyRefusal = {
  ok: false;
  code:
    | 'UNAUTHORIZED'
    | 'INVALID_SIGNATURE'
    | 'FORBIDDEN'
    | 'INVALID_CLIENT_REQUEST'
    | 'RESOURCE_NOT_FOUND'
    | 'TOO_MANY_REQUESTS';
  message: string;
  reason: VerifyRefusalReason;
};

export type VerifyOutcome = { ok: true; caller: Caller } | VerifyRefusal;

const AMBIGUOUS_SUBACCOUNT: VerifyRefusal = {
  ok: false,
  code: 'INVALID_CLIENT_REQUEST',
  message: 'subaccountId may be given only once',
  reason: 'ambiguous_subaccount',
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
      'api_keys.permissions',
      'api_keys.custom_permissions',
      'api_keys.allowed_ips',
      'api_keys.expires_at',
      'api_keys.revoked_at',
      'api_keys.replaced_by',
      'subaccounts.number',
    ])
    .where('api_keys.api_key', '=', '')
    .compile();
}

type KeyRow = ReturnType<typeof compileKeyLookup> extends CompiledQuery<infer R> ? R : never;

/** Where last use goes (last-use-recorder.ts), and per-key usage (key-usage-recorder.ts). */
type LastUse = Pick<LastUseRecorder, 'note' | 'flush'>;
type Usage = Pick<KeyUsageRecorder, 'note' | 'noteRefusal' | 'flush' | 'close'>;

const NOT_RECORDED: { lastUse: LastUse; usage: Usage } = {
  lastUse: { note: () => {}, flush: async () => {} },
  usage: { note: () => {}, noteRefusal: () => {}, flush: async () => {}, close: async () => {} },
};

export class SignedRequestVerifier {
  readonly lastUse: LastUse;
  readonly usage: Usage;

  /** `db` undefined: key records come from `options.findKey` and nothing is recorded (see the header). */
  constructor(
    private readonly db: Kysely<Database> | undefined,
    private readonly options: {
      now?: () => number;
      onError?: (error: unknown) => void;
      /** Replay refusal (replay-guard.ts); a per-process guard for non-query instructions when absent. */
      replayGuard?: ReplayGuard;
      /** Parsed key records in front of the database (key-cache.ts); none when absent. */
      keyCache?: KeyCache<KeyForDecision>;
      /** Key records from elsewhere than the database (required without one). */
      findKey?: (apiKey: string) => Promise<KeyForDecision | undefined>;
    } = {},
  ) {
    if (db === undefined && options.findKey === undefined) {
      throw new TypeError('SignedRequestVerifier needs a database or a findKey');
    }
    this.lastUse = db === undefined ? NOT_RECORDED.lastUse : new LastUseRecorder(db, options.onError);
    this.replayGuard = options.replayGuard ?? new ReplayGuard();
    this.usage =
      db === undefined ? NOT_RECORDED.usage : new KeyUsageRecorder(db, { onError: options.onError });
    this.keyLookup = db === undefined ? undefined : compileKeyLookup(db);
    this.keys = options.keyCache ?? uncachedKeys();
  }

  readonly keys: KeyCache<KeyForDecision>;
  private readonly loadKey = (apiKey: string): Promise<KeyForDecision | undefined> => this.findKey(apiKey);

  private readonly keyLookup: ReturnType<typeof compileKeyLookup> | undefined;
  readonly replayGuard: ReplayGuard;

  /** The one key lookup of the signed path: everything the decisions need, by the X-API-Key. */
  async findKey(apiKey: string): Promise<KeyForDecision | undefined> {
    if (this.db === undefined || this.keyLookup === undefined) {
      return (this.options.findKey as (apiKey: string) => Promise<KeyForDecision | undefined>)(apiKey);
    }
    const { rows } = await this.db.executeQuery<KeyRow>({ ...this.keyLookup, parameters: [apiKey] });
    const row = rows[0];
    if (!row) return undefined;
    const permissions = Number(row.permissions);
    const customPermissions = customPermissionsOfStored(row.custom_permissions);
    return {
      id: row.id,
      userId: row.user_id,
      subaccountId: row.subaccount_id,
      subaccountNumber: Number(row.number),
      permissions,
      customPermissions,
      readOnly: isReadOnly(permissions, customPermissions),
      allowedIps: row.allowed_ips,
      expiresAt: row.expires_at === null ? null : Number(row.expires_at),
      revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
      replacedBy: row.replaced_by,
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

  private refuse(request: SignedRequest, denial: Denial, ip: string, now: number): VerifyOutcome {
    // The owner's usage view counts a dead key by its state; the caller gets the uniform answer below.
    const outcome = denial.keyState === undefined ? denial.reason : (`key_${denial.keyState}` as const);
    this.usage.noteRefusal(
      request.apiKey,
      {
        reason: outcome,
        ip,
        instruction: request.route.instruction,
        permission: denial.permission ?? null,
        message: denial.message,
      },
      now,
    );
    return { ok: false, code: denial.code, message: denial.message, reason: denial.reason };
  }

  /**
   * `meta.permission`: the permission a gateway route declares (its instruction comes in `input.route`); absent,
   * the Backpack instruction's own. `meta.maxAgeMs`: a past timestamp may be up to this old whatever its window
   * (stream SUBSCRIBE only: stream-subscriptions.ts); every other check is unchanged.
   */
  async verify(
    input: SignedRequestInput,
    meta: { ip: string; permission?: string; maxAgeMs?: number },
  ): Promise<VerifyOutcome> {
    const outcome = await this.authenticate(input, meta);
    return outcome.ok ? this.admit(outcome.caller, meta.ip) : outcome;
  }

  /** Steps 1-6 (see the header): who is calling, and may this key do this from here. Claims nothing. */
  async authenticate(
    input: SignedRequestInput,
    meta: { ip: string; permission?: string; maxAgeMs?: number },
  ): Promise<VerifyOutcome> {
    const now = this.options.now?.() ?? Date.now();
    // 1. Headers and the time window: no I/O.
    const parsed = parseSignedRequest(input);
    if (!parsed.ok) return parsed;
    const { request } = parsed;

    const subaccountIds = subaccountParams(input);
    if (subaccountIds.length > 1) return AMBIGUOUS_SUBACCOUNT;

    const window = decideWindow(request, now, meta.maxAgeMs);
    if (!window.ok) return this.refuse(request, window, meta.ip, now);

    // 2. The key: unknown, revoked and expired look the same.
    const key = await this.keys.lookup(request.apiKey, this.loadKey);
    const keyDecision = decideKey(key, now);
    if (!keyDecision.ok || !key) return this.refuse(request, keyDecision as Denial, meta.ip, now);

    // 3. The signature.
    const signatureDecision = decideSignature(request, await this.verifySignature(request));
    if (!signatureDecision.ok) return this.refuse(request, signatureDecision, meta.ip, now);

    // 4-6. The key's controls: address, permission, subaccount.
    const address = decideAddress(key, meta.ip);
    if (!address.ok) return this.refuse(request, address, meta.ip, now);
    const permission = decidePermission(request, key, meta.permission);
    if (!permission.ok) return this.refuse(request, permission, meta.ip, now);
    const subaccount = decideSubaccount(key, { subaccountId: subaccountIds[0] });
    if (!subaccount.ok) return this.refuse(request, subaccount, meta.ip, now);
    return { ok: true, caller: { ...key, apiKey: request.apiKey, request, at: now } };
  }

  /**
   * Step 7, after the rate limits let an authenticated request through: replay refusal. Only an admitted request
   * is remembered, each entry charged to the key's subaccount (replay-store.ts), so neither junk nor refused
   * requests fill the store; a replay is refused before it runs.
   */
  async admit(caller: Caller, ip: string): Promise<VerifyOutcome> {
    const replay = await this.replayGuard.claim(caller.request, caller.at, caller.subaccountId);
    if (!replay.ok) return replay;
    this.lastUse.note(caller.id, ip, caller.at);
    this.usage.note(caller.apiKey, 'ok', caller.at);
    return { ok: true, caller };
  }

  /**
   * Would a request of `route`'s instruction with this key, from `ip`, be accepted now? The key's state (revoked,
   * expired, retired), its allowlist and its permission, decided exactly as for a new request: streams re-check
   * every bound key with it (server/streams/key-watch.ts), so any change that would refuse the key ends its
   * streams too. Undefined when accepted; otherwise the refusal's message.
   */
  async refusalNow(
    apiKey: string,
    ip: string,
    route: SignedRequest['route'],
    now: number = this.options.now?.() ?? Date.now(),
  ): Promise<string | undefined> {
    const key = await this.keys.lookup(apiKey, this.loadKey);
    const decisions = [decideKey(key, now)];
    if (key !== undefined) {
      decisions.push(decideAddress(key, ip), decidePermission({ route } as SignedRequest, key));
    }
    const refused = decisions.find((decision) => !decision.ok);
    return refused === undefined ? undefined : (refused as Denial).message;
  }

  /** Waits for pending last-use writes and writes the usage counters (tests, graceful shutdown). */
  async close(): Promise<void> {
    await this.lastUse.flush();
    await this.usage.close();
  }
}
