/**
 * API key records: create, list, revoke (edit, rotate and revoke-all: key-controls-service.ts). Secrets: a server-generated secret is returned once from
 * `createApiKey()` and exists nowhere else (not in the database, not in logs, not in audit details).
 */
import type { Kysely } from 'kysely';

import { recordAuditEvent, resolveSubaccount, type AuditContext } from '../accounts/index.ts';
import { AppError } from '../errors.ts';
import { createId } from '../ids.ts';
import { generateKeyPair } from '../protocol/ed25519-node.ts';
import { encodeBase64 } from '../protocol/base64.ts';
import { parsePublicKey } from '../protocol/key-encoding.ts';
import { isUniqueViolation } from '../store/errors.ts';
import type { Database } from '../store/schema.ts';
import { parseExpiry, toApiKey, validateKeyName, type ApiKey, type KeySource } from './api-key.ts';
import { resolveAllowlist, resolvePermissions, type KeyControlsInput } from './key-controls.ts';
import { assertWithdrawAllowlist } from './key-policy.ts';
import { customPermissionsOfStored, isReadOnly, permissionNames } from './permissions.ts';

export interface CreateApiKeyInput extends KeyControlsInput {
  userId: string;
  name: string;
  /** Subaccount by id (console) or by name (CLI); the user's main subaccount when both are absent. */
  subaccountId?: string;
  subaccountName?: string;
  /** Permissions when neither `readOnly` nor `permissions` says (default read + trade + withdraw). */
  defaultPermissions?: number;
  /** ISO-8601 (with a zone), epoch ms, `never` or null; must be in the future. */
  expiresAt?: string | number | null;
  /** A base64 ED25519 public key made by the user or by the console in the browser. */
  publicKey?: string;
  /** Where a supplied public key came from; 'user' when pasted, 'browser' when the console generated it. */
  publicKeySource?: Exclude<KeySource, 'server'>;
  /** The operator's cap on working keys per user (SIGNET_MAX_KEYS_PER_USER; the console and CLI pass it). */
  maxKeysPerUser?: number;
  /** SIGNET_WITHDRAW_REQUIRES_ALLOWLIST: a key that can withdraw must have an allowlist. */
  withdrawRequiresAllowlist?: boolean;
  context?: AuditContext;
  now?: number;
}

export interface CreatedApiKey {
  key: ApiKey;
  /** Present only when Signet generated the pair (operator CLI). Show once, then forget. */
  secret?: string;
}

export async function createApiKey(db: Kysely<Database>, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const name = validateKeyName(input.name);
  const now = input.now ?? Date.now();
  const { permissions, customPermissions } = resolvePermissions(input);
  const custom = customPermissionsOfStored(customPermissions);
  const allowedIps = resolveAllowlist(input.allowedIps, input.allowAnyAddress);
  const expiresAt = parseExpiry(input.expiresAt, now);
  assertWithdrawAllowlist(
    { withdrawRequiresAllowlist: input.withdrawRequiresAllowlist === true },
    {
      permissions,
      allowedIps,
    },
  );
  const subaccount = await resolveSubaccount(db, input.userId, {
    id: input.subaccountId,
    name: input.subaccountName,
  });

  let apiKey: string;
  let secret: string | undefined;
  let source: KeySource;
  if (input.publicKey !== undefined && input.publicKey.trim() !== '') {
    const parsed = parsePublicKey(input.publicKey);
    if (!parsed.ok) throw AppError.of(parsed.detail, parsed.message);
    apiKey = encodeBase64(parsed.bytes);
    source = input.publicKeySource ?? 'user';
  } else {
    ({ apiKey, secret } = generateKeyPair());
    source = 'server';
  }

  const row = {
    id: createId('key', now),
    api_key: apiKey,
    user_id: input.userId,
    subaccount_id: subaccount.id,
    name,
    read_only: isReadOnly(permissions, custom) ? 1 : 0,
    permissions,
    custom_permissions: customPermissions,
    allowed_ips: allowedIps,
    expires_at: expiresAt,
    key_source: source,
    created_at: now,
    revoked_at: null,
    last_used_at: null,
    last_used_ip: null,
    replaced_by: null,
  };
  try {
    await db.transaction().execute(async (trx) => {
      if (input.maxKeysPerUser !== undefined) {
        await refuseAtKeyCap(trx, { userId: input.userId, cap: input.maxKeysPerUser, now });
      }
      await trx.insertInto('api_keys').values(row).execute();
      await recordAuditEvent(trx, {
        userId: input.userId,
        type: 'api_key.created',
        details: {
          keyId: row.id,
          name,
          apiKey,
          subaccount: subaccount.name,
          readOnly: row.read_only === 1,
          permissions: permissionNames(permissions, custom),
          allowedIps: allowedIps === null ? [] : allowedIps.split(','),
          expiresAt,
          source,
        },
        context: input.context,
        now,
      });
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw AppError.of('PUBLIC_KEY_TAKEN', 'This public key is already registered');
    throw error;
  }
  return secret === undefined ? { key: toApiKey(row) } : { key: toApiKey(row), secret };
}

/**
 * Refuses a new key when the user already holds `cap` working keys (neither revoked nor expired), with
 * `replacing` keys (a rotation's old key) not counted. Takes the user's row lock first (a row lock on PostgreSQL,
 * the write lock on SQLite), so concurrent creations take turns and cannot both pass a count of `cap - 1`.
 */
export async function refuseAtKeyCap(
  trx: Kysely<Database>,
  input: { userId: string; cap: number; now: number; replacing?: number },
): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({ id: eb.ref('id') }))
    .where('id', '=', input.userId)
    .execute();
  const { count } = await trx
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('user_id', '=', input.userId)
    .where('revoked_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', input.now)]))
    .executeTakeFirstOrThrow();
  if (Number(count) - (input.replacing ?? 0) >= input.cap) {
    throw AppError.of(
      'KEY_LIMIT',
      `You have ${input.cap} working API keys, the most this server allows; revoke one you no longer use`,
      { max: input.cap },
    );
  }
}

/** The user's keys, newest first, revoked ones included (their `revokedAt` is set). Never a secret. */
export async function listApiKeys(db: Kysely<Database>, userId: string): Promise<ApiKey[]> {
  const rows = await db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map(toApiKey);
}

/**
 * Revokes a key by its API key string or record id. Effective at once: the signed-request path reads the record
 * from the database on every request. With `userId`, another user's key is reported as not found.
 */
export async function revokeApiKey(
  db: Kysely<Database>,
  input: { key: string; userId?: string; context?: AuditContext; now?: number },
): Promise<ApiKey> {
  const now = input.now ?? Date.now();
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('api_keys')
      .selectAll()
      .where((eb) => eb.or([eb('api_key', '=', input.key), eb('id', '=', input.key)]));
    if (input.userId !== undefined) query = query.where('user_id', '=', input.userId);
    const row = await query.executeTakeFirst();
    if (!row) throw AppError.of('KEY_NOT_FOUND', 'API key not found');
    if (row.revoked_at !== null) return toApiKey(row);
    await trx
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .execute();
    await recordAuditEvent(trx, {
      userId: row.user_id,
      type: 'api_key.revoked',
      details: { keyId: row.id, name: row.name, apiKey: row.api_key },
      context: input.context,
      now,
    });
    return toApiKey({ ...row, revoked_at: now });
  });
}

/** One key by API key string or record id; with `userId`, another user's key is reported as not found. */
export async function findApiKey(
  db: Kysely<Database>,
  input: { key: string; userId?: string },
): Promise<ApiKey> {
  let query = db
    .selectFrom('api_keys')
    .selectAll()
    .where((eb) => eb.or([eb('api_key', '=', input.key), eb('id', '=', input.key)]));
  if (input.userId !== undefined) query = query.where('user_id', '=', input.userId);
  const row = await query.executeTakeFirst();
  if (!row) throw AppError.of('KEY_NOT_FOUND', 'API key not found');
  return toApiKey(row);
}
