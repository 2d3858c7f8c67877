/**
 * Reading a key's usage for the console: requests per minute by outcome over the last 24 hours, and the recent
 * refusal samples. Counts written by key-usage-recorder.ts (a few seconds behind the requests).
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import type { Database } from '../store/schema.ts';

export const USAGE_WINDOW_MS = 24 * 3600_000;
export const RECENT_REFUSALS_LIMIT = 20;

export interface UsageMinute {
  minute: number;
  ok: number;
  invalidKey: number;
  expiredWindow: number;
  badSignature: number;
  ipNotAllowed: number;
  permission: number;
}

export interface RefusalView {
  at: number;
  reason: string;
  ip: string;
  instruction: string | null;
  message: string;
}

export interface KeyUsage {
  keyId: string;
  from: number;
  to: number;
  minutes: UsageMinute[];
  totals: Omit<UsageMinute, 'minute'>;
  refusals: RefusalView[];
}

export async function getKeyUsage(
  db: Kysely<Database>,
  input: { keyId: string; userId: string; now: number },
): Promise<KeyUsage> {
  const owned = await db
    .selectFrom('api_keys')
    .select('id')
    .where('id', '=', input.keyId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (!owned) throw new AppError('RESOURCE_NOT_FOUND', 'API key not found');
  const from = input.now - USAGE_WINDOW_MS;
  const rows = await db
    .selectFrom('api_key_usage')
    .selectAll()
    .where('key_id', '=', input.keyId)
    .where('minute', '>=', from - (from % 60_000))
    .orderBy('minute')
    .execute();
  const minutes = rows.map((r) => ({
    minute: Number(r.minute),
    ok: Number(r.ok),
    invalidKey: Number(r.invalid_key),
    expiredWindow: Number(r.expired_window),
    badSignature: Number(r.bad_signature),
    ipNotAllowed: Number(r.ip_not_allowed),
    permission: Number(r.permission),
  }));
  const totals = { ok: 0, invalidKey: 0, expiredWindow: 0, badSignature: 0, ipNotAllowed: 0, permission: 0 };
  for (const m of minutes) {
    for (const field of Object.keys(totals) as (keyof typeof totals)[]) totals[field] += m[field];
  }
  const refusals = await db
    .selectFrom('api_key_refusals')
    .select(['at', 'reason', 'ip', 'instruction', 'message'])
    .where('key_id', '=', input.keyId)
    .where('at', '>=', from)
    .orderBy('at', 'desc')
    .limit(RECENT_REFUSALS_LIMIT)
    .execute();
  return {
    keyId: input.keyId,
    from,
    to: input.now,
    minutes,
    totals,
    refusals: refusals.map((r) => ({ ...r, at: Number(r.at) })),
  };
}
