/**
 * Login throttling, the decision: after `freeFailures` failed sign-ins, each further attempt must wait
 * `baseDelayMs * 2^(failures - freeFailures)` (capped at `maxDelayMs`) after the last failure. Counters are kept
 * per account (normalized email, whether or not such an account exists, so the answer reveals nothing) and per
 * client IP (a looser limit, against one client guessing many accounts). A quiet `resetAfterMs` forgets them.
 *
 * Pure: time is a parameter. The store (login-throttle-store.ts) keeps the counters in the database so every
 * process of a multi-node deployment sees the same numbers.
 */

export interface ThrottlePolicy {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  resetAfterMs: number;
}

export const ACCOUNT_THROTTLE: ThrottlePolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  resetAfterMs: 60 * 60_000,
};

export const IP_THROTTLE: ThrottlePolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  resetAfterMs: 60 * 60_000,
};

export interface ThrottleRecord {
  failures: number;
  lastFailureAt: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** Failures that still count at `now` (all of them, or none once the counter has been quiet long enough). */
export function countRecentFailures(
  record: ThrottleRecord | undefined,
  policy: ThrottlePolicy,
  now: number,
): number {
  if (!record) return 0;
  return now - record.lastFailureAt >= policy.resetAfterMs ? 0 : record.failures;
}

export function decideLoginThrottle(
  record: ThrottleRecord | undefined,
  policy: ThrottlePolicy,
  now: number,
): ThrottleDecision {
  const failures = countRecentFailures(record, policy, now);
  if (!record || failures < policy.freeFailures) return { allowed: true };
  const exponent = Math.min(failures - policy.freeFailures, 30);
  const delay = Math.min(policy.baseDelayMs * 2 ** exponent, policy.maxDelayMs);
  const retryAt = record.lastFailureAt + delay;
  return now < retryAt ? { allowed: false, retryAfterMs: retryAt - now } : { allowed: true };
}
