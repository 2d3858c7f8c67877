/**
 * What an API key is to Signet: a public key bound to one subaccount, with a name, permissions (read, trade,
 * withdraw, and the operator's custom ones for gateway routes; `readOnly` = read alone), an optional IP allowlist
 * and an optional expiry.
 * The record never holds a secret; a secret exists only in the response that created a server-generated pair.
 */
import { AppError } from '../errors.ts';
import type { ApiKeysTable } from '../store/schema.ts';
import { entriesOfStored } from './ip-allowlist.ts';
import { customPermissionsOfStored, isReadOnly, permissionNames } from './permissions.ts';

export type KeySource = 'server' | 'browser' | 'user';

export interface ApiKey {
  id: string;
  /** The base64 ED25519 public key (what clients send as X-API-Key). */
  apiKey: string;
  userId: string;
  subaccountId: string;
  name: string;
  /** True when the key holds `read` alone: the seed's and Backpack's read-only key. */
  readOnly: boolean;
  /** The built-in permissions in their fixed order (read, trade, withdraw), then the custom ones, sorted. */
  permissions: string[];
  /** Canonical IPv4/IPv6 addresses and CIDR ranges; empty = any address. */
  allowedIps: string[];
  /** The first millisecond at which the key no longer works; null = never. */
  expiresAt: number | null;
  source: KeySource;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  /** The id of the key that replaced this one by rotation; null when it was never rotated. */
  replacedBy: string | null;
}

export const MAX_KEY_NAME_LENGTH = 64;

/** Names are 1-64 printable characters (no control or format characters), trimmed. */
export function validateKeyName(name: unknown): string {
  const limit = { max: MAX_KEY_NAME_LENGTH };
  if (typeof name !== 'string') throw AppError.of('KEY_NAME_INVALID', 'Key name is required', limit);
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_KEY_NAME_LENGTH) {
    throw AppError.of('KEY_NAME_INVALID', `Key name must be 1-${MAX_KEY_NAME_LENGTH} characters`, limit);
  }
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/u.test(trimmed)) {
    throw AppError.of('KEY_NAME_INVALID', 'Key name must contain printable characters only', limit);
  }
  return trimmed;
}

export function toApiKey(row: ApiKeysTable): ApiKey {
  const custom = customPermissionsOfStored(row.custom_permissions);
  return {
    id: row.id,
    apiKey: row.api_key,
    userId: row.user_id,
    subaccountId: row.subaccount_id,
    name: row.name,
    readOnly: isReadOnly(Number(row.permissions), custom),
    permissions: permissionNames(Number(row.permissions), custom),
    allowedIps: entriesOfStored(row.allowed_ips),
    expiresAt: row.expires_at === null ? null : Number(row.expires_at),
    source: row.key_source as KeySource,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    lastUsedIp: row.last_used_ip,
    replacedBy: row.replaced_by ?? null,
  };
}

/** Whether the key works at `now`: not revoked and not past its expiry. */
export function isKeyActive(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: number): boolean {
  return key.revokedAt === null && (key.expiresAt === null || now < key.expiresAt);
}

/** How soon an expiry counts as "expiring" in the console. */
export const EXPIRING_SOON_MS = 7 * 24 * 3600_000;

/**
 * A key's state at `now`, as the console shows it: `revoked`; `retired` (its rotation grace has ended) or
 * `expired`; in rotation `grace` (replaced, still working until its expiry); `expiring` within a week; `active`.
 * The signed API never tells these apart (all dead keys get `Invalid API key`); only the owner sees them.
 */
export type KeyStatus = 'active' | 'expiring' | 'grace' | 'expired' | 'retired' | 'revoked';

export function keyStatus(
  key: Pick<ApiKey, 'revokedAt' | 'expiresAt' | 'replacedBy'>,
  now: number,
): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && now >= key.expiresAt) return key.replacedBy ? 'retired' : 'expired';
  if (key.replacedBy) return 'grace';
  if (key.expiresAt !== null && key.expiresAt - now < EXPIRING_SOON_MS) return 'expiring';
  return 'active';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * An expiry from a client: `never` / null for none, an ISO-8601 date (midnight UTC) or date-time with a zone
 * (`2026-12-01T13:30:00Z`, `...+03:00`; a time without a zone is ambiguous and refused), or epoch milliseconds.
 * It must lie in the future: a key that is born expired is a mistake.
 */
export function parseExpiry(input: string | number | null | undefined, now: number): number | null {
  if (input === null || input === undefined || input === 'never') return null;
  let at: number;
  if (typeof input === 'number') at = input;
  else {
    const text = input.trim();
    if (!ISO_DATE.test(text) && !ISO_DATE_TIME.test(text)) {
      throw AppError.of(
        'EXPIRY_INVALID',
        'Expiry must be "never" or an ISO-8601 date or date-time with a zone, e.g. 2026-12-01T13:30:00Z',
      );
    }
    at = Date.parse(text);
  }
  if (!Number.isSafeInteger(at)) throw AppError.of('EXPIRY_INVALID', 'Expiry is not a valid date');
  if (at <= now) throw AppError.of('EXPIRY_PAST', 'Expiry must be in the future');
  return at;
}
