/**
 * What an API key is to Signet: a public key bound to one subaccount, with a name and a read-only flag.
 * The record never holds a secret; a secret exists only in the response that created a server-generated pair.
 */
import { AppError } from '../errors.ts';
import type { ApiKeysTable } from '../store/schema.ts';

export type KeySource = 'server' | 'browser' | 'user';

export interface ApiKey {
  id: string;
  /** The base64 ED25519 public key (what clients send as X-API-Key). */
  apiKey: string;
  userId: string;
  subaccountId: string;
  name: string;
  readOnly: boolean;
  source: KeySource;
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
}

export const MAX_KEY_NAME_LENGTH = 64;

/** Names are 1-64 printable characters (no control or format characters), trimmed. */
export function validateKeyName(name: unknown): string {
  if (typeof name !== 'string') throw new AppError('INVALID_CLIENT_REQUEST', 'Key name is required');
  const trimmed = name.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_KEY_NAME_LENGTH) {
    throw new AppError('INVALID_CLIENT_REQUEST', `Key name must be 1-${MAX_KEY_NAME_LENGTH} characters`);
  }
  if (/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/u.test(trimmed)) {
    throw new AppError('INVALID_CLIENT_REQUEST', 'Key name must contain printable characters only');
  }
  return trimmed;
}

export function toApiKey(row: ApiKeysTable): ApiKey {
  return {
    id: row.id,
    apiKey: row.api_key,
    userId: row.user_id,
    subaccountId: row.subaccount_id,
    name: row.name,
    readOnly: row.read_only === 1,
    source: row.key_source as KeySource,
    createdAt: Number(row.created_at),
    revokedAt: row.revoked_at === null ? null : Number(row.revoked_at),
    lastUsedAt: row.last_used_at === null ? null : Number(row.last_used_at),
    lastUsedIp: row.last_used_ip,
  };
}
