/**
 * Reading a key's usage for the console: requests by outcome over one of three ranges, in buckets small enough to
 * read (1 h per minute, 24 h per 15 minutes, 7 days per 2 hours), and the recent refusal samples. Counts are
 * written by key-usage-recorder.ts a few seconds behind the requests, one row per key and minute.
 *
 * `bucketUsage` is the pure part: minute rows in, one bucket per step of the range out (empty ones included, so a
 * chart's time axis is continuous), each aligned to a multiple of its size since the epoch. The refusal list is a
 * sample, not a log: the recorder keeps at most one refusal per key, reason and minute, and the console shows the
 * newest `RECENT_REFUSALS_LIMIT`; the answer says so (`refusalSample`) so the page can too.
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import type { Database } from '../store/schema.ts';
import { requiredPermission } from './permissions.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3600_000;

export type UsageRange = '1h' | '24h' | '7d';

/** Each range's span and bucket size. */
export const USAGE_RANGES: Readonly<Record<UsageRange, { spanMs: number; bucketMs: number }>> = {
  '1h': { spanMs: HOUR_MS, bucketMs: MINUTE_MS },
  '24h': { spanMs: 24 * HOUR_MS, bucketMs: 15 * MINUTE_MS },
  '7d': { spanMs: 7 * 24 * HOUR_MS, bucketMs: 2 * HOUR_MS },
};

export const RECENT_REFUSALS_LIMIT = 20;
/** How the recorder samples refusals (key-usage-recorder.ts `noteRefusal`). */
export const REFUSALS_SAMPLED_PER_REASON_PER_MINUTE = 1;

/** Counts by outcome, camel-cased from the `api_key_usage` columns. */
export interface UsageCounts {
  ok: number;
  /** Before migration 0030: a revoked or expired key (now counted by state below). */
  invalidKey: number;
  keyRevoked: number;
  keyExpired: number;
  /** Past the grace of a rotation. */
  keyRetired: number;
  expiredWindow: number;
  badSignature: number;
  ipNotAllowed: number;
  permission: number;
}

export const USAGE_COUNT_FIELDS = [
  'ok',
  'invalidKey',
  'keyRevoked',
  'keyExpired',
  'keyRetired',
  'expiredWindow',
  'badSignature',
  'ipNotAllowed',
  'permission',
] as const satisfies readonly (keyof UsageCounts)[];

export interface UsageBucket extends UsageCounts {
  /** Start of the bucket, ms since the epoch. */
  start: number;
}

export interface RefusalView {
  at: number;
  /** The refusal as the owner sees it: `key_expired`, `key_retired`, `bad_signature`, `subaccount`, ... */
  reason: string;
  ip: string;
  instruction: string | null;
  /**
   * For a `permission` refusal: the permission the instruction needs (so a page can say it in any language); a
   * gateway route's may be one of the operator's own.
   */
  permission: string | null;
  /** Exactly what the caller was answered (for a dead key, the uniform `Invalid API key`). */
  message: string;
}

export interface KeyUsage {
  keyId: string;
  range: UsageRange;
  bucketMs: number;
  from: number;
  to: number;
  buckets: UsageBucket[];
  totals: UsageCounts;
  refusals: RefusalView[];
  refusalSample: { perReasonPerMinute: number; limit: number };
}

export function parseUsageRange(text: string | undefined): UsageRange {
  if (text === undefined || text === '') return '1h';
  if (!Object.hasOwn(USAGE_RANGES, text)) {
    throw new AppError('INVALID_CLIENT_REQUEST', 'range must be one of 1h, 24h, 7d');
  }
  return text as UsageRange;
}

export function emptyCounts(): UsageCounts {
  return Object.fromEntries(USAGE_COUNT_FIELDS.map((field) => [field, 0])) as unknown as UsageCounts;
}

/**
 * Minute rows into the range's buckets: `count` buckets of `bucketMs` ending with the one that holds `now`.
 * Rows outside the buckets are ignored.
 */
export function bucketUsage(
  minutes: ReadonlyArray<UsageCounts & { minute: number }>,
  input: { now: number; range: UsageRange },
): { from: number; buckets: UsageBucket[]; totals: UsageCounts } {
  const { spanMs, bucketMs } = USAGE_RANGES[input.range];
  const count = spanMs / bucketMs;
  const last = input.now - (input.now % bucketMs);
  const from = last - (count - 1) * bucketMs;
  const buckets: UsageBucket[] = Array.from({ length: count }, (_, i) => ({
    start: from + i * bucketMs,
    ...emptyCounts(),
  }));
  const totals = emptyCounts();
  for (const row of minutes) {
    const index = Math.floor((row.minute - from) / bucketMs);
    const bucket = buckets[index];
    if (index < 0 || bucket === undefined) continue;
    for (const field of USAGE_COUNT_FIELDS) {
      bucket[field] += row[field];
      totals[field] += row[field];
    }
  }
  return { from, buckets, totals };
}

export async function getKeyUsage(
  db: Kysely<Database>,
  input: { keyId: string; userId: string; now: number; range?: UsageRange },
): Promise<KeyUsage> {
  const range = input.range ?? '1h';
  const owned = await db
    .selectFrom('api_keys')
    .select('id')
    .where('id', '=', input.keyId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst();
  if (!owned) throw AppError.of('KEY_NOT_FOUND', 'API key not found');
  const { spanMs, bucketMs } = USAGE_RANGES[range];
  const earliest = input.now - (input.now % bucketMs) - spanMs + bucketMs;
  const rows = await db
    .selectFrom('api_key_usage')
    .selectAll()
    .where('key_id', '=', input.keyId)
    .where('minute', '>=', earliest)
    .orderBy('minute')
    .execute();
  const minutes = rows.map((r) => ({
    minute: Number(r.minute),
    ok: Number(r.ok),
    invalidKey: Number(r.invalid_key),
    keyRevoked: Number(r.key_revoked),
    keyExpired: Number(r.key_expired),
    keyRetired: Number(r.key_retired),
    expiredWindow: Number(r.expired_window),
    badSignature: Number(r.bad_signature),
    ipNotAllowed: Number(r.ip_not_allowed),
    permission: Number(r.permission),
  }));
  const { from, buckets, totals } = bucketUsage(minutes, { now: input.now, range });
  const refusals = await db
    .selectFrom('api_key_refusals')
    .select(['at', 'reason', 'ip', 'instruction', 'permission', 'message'])
    .where('key_id', '=', input.keyId)
    .where('at', '>=', from)
    .orderBy('at', 'desc')
    .limit(RECENT_REFUSALS_LIMIT)
    .execute();
  return {
    keyId: input.keyId,
    range,
    bucketMs,
    from,
    to: input.now,
    buckets,
    totals,
    refusals: refusals.map((r) => ({
      ...r,
      at: Number(r.at),
      // Rows from before migration 0071 (Backpack's instructions only) work the permission out as they did.
      permission:
        r.permission ??
        (r.reason === 'permission' && r.instruction !== null ? requiredPermission(r.instruction) : null),
    })),
    refusalSample: {
      perReasonPerMinute: REFUSALS_SAMPLED_PER_REASON_PER_MINUTE,
      limit: RECENT_REFUSALS_LIMIT,
    },
  };
}
