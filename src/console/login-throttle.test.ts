import { describe, expect, it } from 'vitest';

import { ACCOUNT_THROTTLE, decideLoginThrottle, type ThrottlePolicy } from './login-throttle.ts';

const policy: ThrottlePolicy = { freeFailures: 3, baseDelayMs: 1000, maxDelayMs: 8000, resetAfterMs: 60_000 };
const at = 1_000_000;

describe('decideLoginThrottle()', () => {
  it('allows an account with no failures', () => {
    expect(decideLoginThrottle(undefined, policy, at)).toEqual({ allowed: true });
  });

  it('allows the free failures without delay', () => {
    expect(decideLoginThrottle({ failures: 2, lastFailureAt: at }, policy, at)).toEqual({ allowed: true });
  });

  it('doubles the wait with each failure past the free ones, up to the cap', () => {
    const waits = [3, 4, 5, 6, 7].map((failures) => {
      const decision = decideLoginThrottle({ failures, lastFailureAt: at }, policy, at);
      return decision.allowed ? 0 : decision.retryAfterMs;
    });
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
  });

  it('counts the wait from the last failure', () => {
    const record = { failures: 4, lastFailureAt: at };
    expect(decideLoginThrottle(record, policy, at + 1500)).toEqual({ allowed: false, retryAfterMs: 500 });
    expect(decideLoginThrottle(record, policy, at + 2000)).toEqual({ allowed: true });
  });

  it('forgets failures after a quiet period', () => {
    const record = { failures: 50, lastFailureAt: at };
    expect(decideLoginThrottle(record, policy, at + 60_000)).toEqual({ allowed: true });
  });

  it('keeps the account policy at 5 free failures and a 15 minute cap', () => {
    expect(ACCOUNT_THROTTLE.freeFailures).toBe(5);
    const decision = decideLoginThrottle({ failures: 1000, lastFailureAt: at }, ACCOUNT_THROTTLE, at);
    expect(decision).toEqual({ allowed: false, retryAfterMs: 15 * 60_000 });
  });
});
