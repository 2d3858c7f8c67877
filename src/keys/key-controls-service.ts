/**
 * Changing keys after creation: edit (name, permissions, allowlist, expiry), rotate, revoke all. Every change is
 * one transaction with an audit event holding the key's controls before and after; the signed path reads the key
 * record on every request, so a change takes effect on the next request, in every process.
 *
 * Widening an edit (key-controls.ts `describeWidening`) is reported to the caller's `authorize` hook before
 * anything is written: the console asks for the TOTP code there, the operator CLI passes none. The write is
 * guarded by the controls it was computed from, so two concurrent edits cannot both pass a check made against a
 * state that no longer exists (the second gets 409).
 */
import type { Kysely } from 'kysely';

import { recordAuditEvent, type AuditContext } from '../accounts/index.ts';
import { AppError } from '../errors.ts';
import { createId } from '../ids.ts';
import { encodeBase64 } from '../protocol/base64.ts';
import { generateKeyPair } from '../protocol/ed25519-node.ts';
import { parsePublicKey } from '../protocol/key-encoding.ts';
import { isUniqueViolation } from '../store/errors.ts';
import type { ApiKeysTable, Database } from '../store/schema.ts';
import {
  isKeyActive,
  parseExpiry,
  toApiKey,
  validateKeyName,
  type ApiKey,
  type KeySource,
} from './api-key.ts';
import { entriesOfStored } from './ip-allowlist.ts';
import { assertWithdrawAllowlist } from './key-policy.ts';
import { refuseAtKeyCap } from './keys-service.ts';
import { describeWidening, resolveAllowlist, resolvePermissions, type KeyControls } from './key-controls.ts';
import { customPermissionsOfStored, isReadOnly, permissionNames } from './permissions.ts';

/** Called with what an edit widens (never empty) before it is written; throws to refuse. */
export type AuthorizeWidening = (widened: string[]) => Promise<void>;

async function findKeyRow(
  db: Kysely<Database>,
  key: string,
  userId: string | undefined,
): Promise<ApiKeysTable> {
  let query = db
    .selectFrom('api_keys')
    .selectAll()
    .where((eb) => eb.or([eb('api_key', '=', key), eb('id', '=', key)]));
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  const row = await query.executeTakeFirst();
  if (!row) throw AppError.of('KEY_NOT_FOUND', 'API key not found');
  return row;
}

function controlsOf(row: ApiKeysTable): KeyControls {
  return {
    permissions: Number(row.permissions),
    customPermissions: row.custom_permissions,
    allowedIps: row.allowed_ips,
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
  };
}

/** The audit view of a key's state (never a secret). */
function auditState(name: string, controls: KeyControls): Record<string, unknown> {
  return {
    name,
    permissions: permissionNames(controls.permissions, customPermissionsOfStored(controls.customPermissions)),
    allowedIps: entriesOfStored(controls.allowedIps),
    expiresAt: controls.expiresAt,
  };
}

/**
 * Retired is final: a key replaced by rotation is never made to work longer. Once its grace has ended nothing
 * about it can change (an edited expiry would revive it); during the grace its expiry may only move earlier.
 * Regression: `keys rotate --grace 0` then `keys update <old> --expires never` made the old key work again.
 */
function refuseReviving(before: KeyControls, expiresAt: number | null | undefined, now: number): void {
  if (before.expiresAt !== null && now >= before.expiresAt) {
    throw AppError.of(
      'KEY_RETIRED',
      'This API key was replaced by rotation and its grace period has ended; it cannot be changed or revived',
    );
  }
  if (expiresAt === undefined) return;
  if (expiresAt === null || before.expiresAt === null || expiresAt > before.expiresAt) {
    throw AppError.of(
      'KEY_REPLACED',
      'This API key was replaced by rotation; its grace period can be shortened, never extended',
    );
  }
}

export interface UpdateApiKeyInput {
  /** API key string or record id. */
  key: string;
  /** With a user id, another user's key is reported as not found. */
  userId?: string;
  name?: string;
  readOnly?: boolean;
  permissions?: readonly string[] | string;
  /** The custom permission names the running configuration declares (SIGNET_ROUTES); none when absent. */
  declaredPermissions?: readonly string[];
  /** New allowlist; an empty list or null removes it (any address). Absent = unchanged. */
  allowedIps?: readonly string[] | null;
  allowAnyAddress?: boolean;
  /** ISO-8601, epoch ms, `never`/null for none; absent = unchanged. */
  expiresAt?: string | number | null;
  authorize?: AuthorizeWidening;
  /** SIGNET_WITHDRAW_REQUIRES_ALLOWLIST: a key left able to withdraw must keep an allowlist. */
  withdrawRequiresAllowlist?: boolean;
  context?: AuditContext;
  now?: number;
}

export async function updateApiKey(db: Kysely<Database>, input: UpdateApiKeyInput): Promise<ApiKey> {
  const now = input.now ?? Date.now();
  const name = input.name === undefined ? undefined : validateKeyName(input.name);
  const allowedIps =
    input.allowedIps === undefined
      ? undefined
      : resolveAllowlist(input.allowedIps ?? [], input.allowAnyAddress);
  const expiresAt = input.expiresAt === undefined ? undefined : parseExpiry(input.expiresAt, now);

  const row = await findKeyRow(db, input.key, input.userId);
  if (row.revoked_at !== null)
    throw AppError.of('KEY_NOT_ACTIVE', 'This API key is revoked and cannot be changed');
  const before = controlsOf(row);
  if (row.replaced_by !== null) refuseReviving(before, expiresAt, now);
  // A custom permission the key holds may be kept after the operator stopped declaring it (keeping it widens
  // nothing); only declared ones may be added.
  const permissions =
    input.permissions === undefined && input.readOnly === undefined
      ? undefined
      : resolvePermissions({
          readOnly: input.readOnly,
          permissions: input.permissions,
          declaredPermissions: [
            ...(input.declaredPermissions ?? []),
            ...customPermissionsOfStored(before.customPermissions),
          ],
        });
  const after: KeyControls = {
    permissions: permissions?.permissions ?? before.permissions,
    customPermissions: permissions === undefined ? before.customPermissions : permissions.customPermissions,
    allowedIps: allowedIps === undefined ? before.allowedIps : allowedIps,
    expiresAt: expiresAt === undefined ? before.expiresAt : expiresAt,
  };
  const newName = name ?? row.name;
  assertWithdrawAllowlist({ withdrawRequiresAllowlist: input.withdrawRequiresAllowlist === true }, after);
  const widened = describeWidening(before, after);
  if (widened.length > 0) await input.authorize?.(widened);
  const readOnlyAfter = isReadOnly(after.permissions, customPermissionsOfStored(after.customPermissions))
    ? 1
    : 0;

  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('api_keys')
      .set({
        name: newName,
        permissions: after.permissions,
        custom_permissions: after.customPermissions,
        read_only: readOnlyAfter,
        allowed_ips: after.allowedIps,
        expires_at: after.expiresAt,
      })
      .where('id', '=', row.id)
      .where('revoked_at', 'is', null)
      .where('replaced_by', row.replaced_by === null ? 'is' : '=', row.replaced_by)
      .where('permissions', '=', before.permissions)
      .where('custom_permissions', before.customPermissions === null ? 'is' : '=', before.customPermissions)
      .where('allowed_ips', before.allowedIps === null ? 'is' : '=', before.allowedIps)
      .where('expires_at', before.expiresAt === null ? 'is' : '=', before.expiresAt)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) {
      throw AppError.of('KEY_CHANGED', 'The key changed meanwhile; reload and try again');
    }
    await recordAuditEvent(trx, {
      userId: row.user_id,
      type: 'api_key.updated',
      details: {
        keyId: row.id,
        apiKey: row.api_key,
        before: auditState(row.name, before),
        after: auditState(newName, after),
        widened,
      },
      context: input.context,
      now,
    });
    return toApiKey({
      ...row,
      name: newName,
      permissions: after.permissions,
      custom_permissions: after.customPermissions,
      read_only: readOnlyAfter,
      allowed_ips: after.allowedIps,
      expires_at: after.expiresAt,
    });
  });
}

export interface RotateApiKeyInput {
  key: string;
  userId?: string;
  /** The new key's base64 public key (browser-generated or pasted); absent = Signet generates (operator CLI). */
  publicKey?: string;
  publicKeySource?: Exclude<KeySource, 'server'>;
  /** How long the old key keeps working (0 = stops now). */
  graceMs: number;
  /** The operator's cap on working keys per user; the rotated key is not counted (it is on its way out). */
  maxKeysPerUser?: number;
  /** Called once the key is known to be rotatable, before anything is written; throws to refuse. */
  authorize?: () => Promise<void>;
  context?: AuditContext;
  now?: number;
}

export interface RotatedApiKey {
  old: ApiKey;
  key: ApiKey;
  /** Only when Signet generated the pair. Show once, then forget. */
  secret?: string;
}

/**
 * A new key with the old one's name, subaccount, permissions, allowlist and expiry; the old key's expiry becomes
 * `now + grace` (or stays, if that is earlier) and it records the new key's id (`replaced_by`), so the console can
 * say which key replaced which and tell a key retired by rotation from one that simply expired. Both work during
 * the grace period.
 */
export async function rotateApiKey(db: Kysely<Database>, input: RotateApiKeyInput): Promise<RotatedApiKey> {
  const now = input.now ?? Date.now();
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
  const row = await findKeyRow(db, input.key, input.userId);
  const old = toApiKey(row);
  if (row.replaced_by !== null) {
    throw AppError.of(
      'KEY_REPLACED',
      'This API key was already replaced by rotation; rotate the key that replaced it instead',
    );
  }
  if (!isKeyActive(old, now)) throw AppError.of('KEY_NOT_ACTIVE', 'This API key is revoked or expired');
  await input.authorize?.();
  const oldExpiry = Math.min(old.expiresAt ?? Number.MAX_SAFE_INTEGER, now + input.graceMs);
  const newRow: ApiKeysTable = {
    ...row,
    id: createId('key', now),
    api_key: apiKey,
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
        await refuseAtKeyCap(trx, { userId: row.user_id, cap: input.maxKeysPerUser, now, replacing: 1 });
      }
      const result = await trx
        .updateTable('api_keys')
        .set({ expires_at: oldExpiry, replaced_by: newRow.id })
        .where('id', '=', row.id)
        .where('revoked_at', 'is', null)
        .where('replaced_by', 'is', null)
        .where('expires_at', row.expires_at === null ? 'is' : '=', row.expires_at)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== 1) {
        throw AppError.of('KEY_CHANGED', 'The key changed meanwhile; reload and try again');
      }
      await trx.insertInto('api_keys').values(newRow).execute();
      await recordAuditEvent(trx, {
        userId: row.user_id,
        type: 'api_key.rotated',
        details: {
          keyId: row.id,
          name: row.name,
          apiKey: row.api_key,
          newKeyId: newRow.id,
          newApiKey: apiKey,
          graceMs: input.graceMs,
          before: { expiresAt: old.expiresAt },
          after: { expiresAt: oldExpiry },
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
  const rotated = { old: { ...old, expiresAt: oldExpiry, replacedBy: newRow.id }, key: toApiKey(newRow) };
  return secret === undefined ? rotated : { ...rotated, secret };
}

/**
 * Revokes every live key of the user, or of one of their subaccounts: the button for a compromised machine.
 * Returns the keys it revoked (already revoked ones are left as they are).
 */
export async function revokeAllApiKeys(
  db: Kysely<Database>,
  input: { userId: string; subaccountId?: string; context?: AuditContext; now?: number },
): Promise<ApiKey[]> {
  const now = input.now ?? Date.now();
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('api_keys')
      .selectAll()
      .where('user_id', '=', input.userId)
      .where('revoked_at', 'is', null);
    if (input.subaccountId !== undefined) query = query.where('subaccount_id', '=', input.subaccountId);
    const rows = await query.execute();
    // The scope by name too, so the account's activity can say "keys of Bot" without another lookup.
    const scope =
      input.subaccountId === undefined
        ? undefined
        : await trx
            .selectFrom('subaccounts')
            .select('name')
            .where('id', '=', input.subaccountId)
            .executeTakeFirst();
    if (rows.length > 0) {
      await trx
        .updateTable('api_keys')
        .set({ revoked_at: now })
        .where(
          'id',
          'in',
          rows.map((r) => r.id),
        )
        .where('revoked_at', 'is', null)
        .execute();
    }
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'api_key.revoked_all',
      details: {
        subaccountId: input.subaccountId ?? null,
        subaccount: scope?.name ?? null,
        count: rows.length,
        keys: rows.map((r) => ({ keyId: r.id, name: r.name, apiKey: r.api_key })),
      },
      context: input.context,
      now,
    });
    return rows.map((r) => toApiKey({ ...r, revoked_at: now }));
  });
}
