/**
 * Login throttling, the I/O: counters in the `login_throttle` table, shared by every process.
 *
 * An attempt is counted as a failure *before* the password is checked and forgiven after a success. Counting
 * first closes the race where a burst of parallel guesses all read "0 failures" during the ~50 ms of scrypt: the
 * increment is one atomic upsert, and an attempt whose increment shows that others got in meanwhile is held to
 * the decision those others produced.
 */
import type { Kysely } from 'kysely';

import type { Database } from '../store/schema.ts';
import {
  countRecentFailures,
  decideLoginThrottle,
  type ThrottleDecision,
  type ThrottlePolicy,
  type ThrottleRecord,
} from './login-throttle.ts';

export interface ThrottleScope {
  /** 'account:<normalized email>' or 'ip:<address>'. */
  key: string;
  policy: ThrottlePolicy;
}

async function readRecord(db: Kysely<Database>, key: string): Promise<ThrottleRecord | undefined> {
  const row = await db.selectFrom('login_throttle').selectAll().where('key', '=', key).executeTakeFirst();
  return row && { failures: Number(row.failures), lastFailureAt: Number(row.last_failure_at) };
}

/** Atomically counts one more failure (restarting a counter that had gone quiet); returns the new count. */
async function incrementFailures(db: Kysely<Database>, scope: ThrottleScope, now: number): Promise<number> {
  const cutoff = now - scope.policy.resetAfterMs;
  const row = await db
    .insertInto('login_throttle')
    .values({ key: scope.key, failures: 1, last_failure_at: now })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet((eb) => ({
        failures: eb
          .case()
          .when('login_throttle.last_failure_at', '<=', cutoff)
          .then(1)
          .else(eb('login_throttle.failures', '+', 1))
          .end(),
        last_failure_at: now,
      })),
    )
    .returning('failures')
    .executeTakeFirstOrThrow();
  return Number(row.failures);
}

function slowest(decisions: ThrottleDecision[]): ThrottleDecision {
  let retryAfterMs = 0;
  for (const decision of decisions)
    if (!decision.allowed) retryAfterMs = Math.max(retryAfterMs, decision.retryAfterMs);
  return retryAfterMs > 0 ? { allowed: false, retryAfterMs } : { allowed: true };
}

/**
 * Asks whether an attempt (a sign-in, a 2FA code) may go ahead and, if so, counts it as a failure until the
 * caller forgives it with `clearFailures()` / `forgiveOneFailure()`.
 * A refused attempt is not counted: it verified no password.
 */
export async function beginLoginAttempt(
  db: Kysely<Database>,
  scopes: ThrottleScope[],
  now: number,
): Promise<ThrottleDecision> {
  const records = await Promise.all(scopes.map((scope) => readRecord(db, scope.key)));
  const before = slowest(scopes.map((scope, i) => decideLoginThrottle(records[i], scope.policy, now)));
  if (!before.allowed) return before;
  const counts = await Promise.all(scopes.map((scope) => incrementFailures(db, scope, now)));
  // Someone else's failures landed between our read and our increment: judge by what they left behind.
  return slowest(
    scopes.map((scope, i) => {
      const seen = countRecentFailures(records[i], scope.policy, now);
      const others = (counts[i] as number) - 1;
      return others > seen
        ? decideLoginThrottle({ failures: others, lastFailureAt: now }, scope.policy, now)
        : { allowed: true };
    }),
  );
}

/** Forgets a scope's failures (after a success on an account or a correct 2FA code). */
export async function clearFailures(db: Kysely<Database>, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute();
}

/**
 * Takes back one counted failure: for the IP scope after a success, so an attacker's one valid account cannot
 * wipe the record of their guesses at other accounts, while a person signing in normally is not held to count.
 */
export async function forgiveOneFailure(db: Kysely<Database>, key: string): Promise<void> {
  await db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: eb('failures', '-', 1) }))
    .where('key', '=', key)
    .where('failures', '>', 0)
    .execute();
}

/** Housekeeping: forgets counters that have been quiet for `quietMs` (they no longer count anyway). */
export async function pruneQuietCounters(
  db: Kysely<Database>,
  input: { quietMs: number; now: number },
): Promise<void> {
  await db
    .deleteFrom('login_throttle')
    .where('last_failure_at', '<', input.now - input.quietMs)
    .execute();
}

/** Counts a failure outside a login (a signup for an email already taken), against the IP only. */
export async function recordIpFailure(
  db: Kysely<Database>,
  scope: ThrottleScope,
  now: number,
): Promise<void> {
  await incrementFailures(db, scope, now);
}

export async function checkIpThrottle(
  db: Kysely<Database>,
  scope: ThrottleScope,
  now: number,
): Promise<ThrottleDecision> {
  return decideLoginThrottle(await readRecord(db, scope.key), scope.policy, now);
}
