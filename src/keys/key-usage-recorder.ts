/**
 * Per-key usage: requests per key per minute by outcome (success, or the refusal reason), plus a small sample of
 * recent refusals, so a person can see that their bot is failing and why.
 *
 * Off the request path: `note()` is synchronous and only bumps an in-memory counter (one Map lookup); a timer
 * flushes the counters every few seconds (and `flush()` on shutdown) as one batched upsert that ADDS to the row
 * of that key and minute, so several processes can count into the same rows. Never a write per request.
 *
 * Invariants: counters are keyed by the X-API-Key the client sent (a window refusal happens before any lookup);
 * the flush resolves them to key ids in one query and drops names that are not keys, so junk keys cost memory only
 * until the next flush, and at most `MAX_KEYS_PER_MINUTE` distinct names are counted per minute. Refusal samples:
 * at most one per key, reason and minute. Rows older than `USAGE_RETENTION_MS` are pruned at most once an hour.
 * Threats: nothing secret is kept (the API key is a public key; messages are the ones the client was sent).
 */
import type { Kysely } from 'kysely';

import { createId } from '../ids.ts';
import type { ApiKeyUsageTable, Database } from '../store/schema.ts';
import type { RefusalReason } from './decide-request.ts';

export const USAGE_FLUSH_INTERVAL_MS = 5_000;
export const USAGE_RETENTION_MS = 8 * 24 * 3600_000;
const PRUNE_INTERVAL_MS = 3600_000;
const MAX_KEYS_PER_MINUTE = 10_000;
const MINUTE_MS = 60_000;
const CHUNK = 200;

/**
 * A refusal as the owner's usage view counts it: the reason the verifier gave, with step 2's uniform
 * `invalid_key` split by the key's state (revoked, expired, retired by rotation). Unknown keys have no owner and
 * no row, so `invalid_key` is counted only in rows written before migration 0030.
 */
export type UsageRefusal = RefusalReason | 'key_revoked' | 'key_expired' | 'key_retired';
export type UsageOutcome = 'ok' | UsageRefusal;
/** The counter columns of `api_key_usage`, in this order in memory. */
export const USAGE_OUTCOMES = [
  'ok',
  'invalid_key',
  'expired_window',
  'bad_signature',
  'ip_not_allowed',
  'permission',
  'key_revoked',
  'key_expired',
  'key_retired',
] as const satisfies readonly UsageOutcome[];
/**
 * Where each outcome is counted (its column's place in USAGE_OUTCOMES): a subaccount-binding refusal is a
 * permission refusal (both 403) in the counts, and keeps its own reason in the samples. A literal, not derived at
 * run time: `note()` runs on every signed request and a literal keeps V8's fast property lookup (a unit test
 * checks it against USAGE_OUTCOMES).
 */
export const OUTCOME_INDEX: Readonly<Record<UsageOutcome, number>> = {
  ok: 0,
  invalid_key: 1,
  expired_window: 2,
  bad_signature: 3,
  ip_not_allowed: 4,
  permission: 5,
  key_revoked: 6,
  key_expired: 7,
  key_retired: 8,
  subaccount: 5,
};

interface RefusalSample {
  apiKey: string;
  at: number;
  reason: UsageRefusal;
  ip: string;
  instruction: string | null;
  permission: string | null;
  message: string;
}

interface Bucket {
  minute: number;
  counts: Map<string, number[]>;
  /** `apiKey reason` pairs already sampled this minute. */
  sampled: Set<string>;
}

export class KeyUsageRecorder {
  private bucket: Bucket = { minute: -1, counts: new Map(), sampled: new Set() };
  private done: Bucket[] = [];
  private samples: RefusalSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private lastPrune = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly options: { onError?: (error: unknown) => void; intervalMs?: number } = {},
  ) {}

  /** Counts one request that named `apiKey`. Synchronous; the write happens later. */
  note(apiKey: string, outcome: UsageOutcome, now: number): void {
    const minute = now - (now % MINUTE_MS);
    let bucket = this.bucket;
    if (minute !== bucket.minute) {
      if (bucket.counts.size > 0) this.done.push(bucket);
      bucket = this.bucket = { minute, counts: new Map(), sampled: new Set() };
      this.timer ??= this.startTimer();
    }
    let counts = bucket.counts.get(apiKey);
    if (counts === undefined) {
      if (bucket.counts.size >= MAX_KEYS_PER_MINUTE) return;
      counts = [0, 0, 0, 0, 0, 0, 0, 0, 0];
      bucket.counts.set(apiKey, counts);
    }
    (counts[OUTCOME_INDEX[outcome]] as number)++;
  }

  /** Counts a refusal and keeps it as a sample (at most one per key, reason and minute). */
  noteRefusal(
    apiKey: string,
    refusal: {
      reason: UsageRefusal;
      ip: string;
      instruction: string | null;
      /** A permission refusal: the permission that was missing. */
      permission?: string | null;
      message: string;
    },
    now: number,
  ): void {
    this.note(apiKey, refusal.reason, now);
    const marker = `${apiKey} ${refusal.reason}`;
    if (!this.bucket.counts.has(apiKey) || this.bucket.sampled.has(marker)) return;
    this.bucket.sampled.add(marker);
    this.samples.push({
      apiKey,
      at: now,
      ...refusal,
      permission: refusal.permission ?? null,
      message: refusal.message.slice(0, 300),
    });
  }

  private startTimer(): NodeJS.Timeout {
    const timer = setInterval(() => void this.flush(), this.options.intervalMs ?? USAGE_FLUSH_INTERVAL_MS);
    timer.unref();
    return timer;
  }

  /** Writes everything counted so far. Safe to call at any time; calls queue behind each other. */
  flush(now: number = Date.now()): Promise<void> {
    this.flushing = this.flushing.then(() =>
      this.write(now).catch((error: unknown) => this.options.onError?.(error)),
    );
    return this.flushing;
  }

  /** Stops the timer and writes what is left (graceful shutdown). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  private async write(now: number): Promise<void> {
    const buckets = this.bucket.counts.size > 0 ? [...this.done, this.bucket] : this.done;
    const samples = this.samples;
    this.done = [];
    this.samples = [];
    if (this.bucket.counts.size > 0) {
      // Keep the minute (and its sample markers) but start its counts afresh: the upsert adds.
      this.bucket = { minute: this.bucket.minute, counts: new Map(), sampled: this.bucket.sampled };
    }
    if (buckets.length === 0 && samples.length === 0) return this.prune(now);

    const names = new Set<string>();
    for (const bucket of buckets) for (const name of bucket.counts.keys()) names.add(name);
    const ids = await this.resolveKeyIds([...names]);

    const rows: ApiKeyUsageTable[] = [];
    for (const bucket of buckets) {
      for (const [name, c] of bucket.counts) {
        const keyId = ids.get(name);
        if (keyId === undefined) continue;
        const row = { key_id: keyId, minute: bucket.minute } as ApiKeyUsageTable;
        USAGE_OUTCOMES.forEach((outcome, i) => (row[outcome] = c[i] as number));
        rows.push(row);
      }
    }
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db
        .insertInto('api_key_usage')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) =>
          oc
            .columns(['key_id', 'minute'])
            .doUpdateSet((eb) =>
              Object.fromEntries(
                USAGE_OUTCOMES.map((outcome) => [
                  outcome,
                  eb(`api_key_usage.${outcome}`, '+', eb.ref(`excluded.${outcome}`)),
                ]),
              ),
            ),
        )
        .execute();
    }
    const refusals = samples.flatMap((s) => {
      const keyId = ids.get(s.apiKey);
      return keyId === undefined
        ? []
        : [
            {
              id: createId('ref', s.at),
              key_id: keyId,
              at: s.at,
              reason: s.reason,
              ip: s.ip,
              instruction: s.instruction,
              permission: s.permission,
              message: s.message,
            },
          ];
    });
    for (let i = 0; i < refusals.length; i += CHUNK) {
      await this.db
        .insertInto('api_key_refusals')
        .values(refusals.slice(i, i + CHUNK))
        .execute();
    }
    await this.prune(now);
  }

  private async resolveKeyIds(names: string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (let i = 0; i < names.length; i += CHUNK) {
      const found = await this.db
        .selectFrom('api_keys')
        .select(['id', 'api_key'])
        .where('api_key', 'in', names.slice(i, i + CHUNK))
        .execute();
      for (const row of found) ids.set(row.api_key, row.id);
    }
    return ids;
  }

  private async prune(now: number): Promise<void> {
    if (now - this.lastPrune < PRUNE_INTERVAL_MS) return;
    this.lastPrune = now;
    const before = now - USAGE_RETENTION_MS;
    await this.db.deleteFrom('api_key_usage').where('minute', '<', before).execute();
    await this.db.deleteFrom('api_key_refusals').where('at', '<', before).execute();
  }
}
