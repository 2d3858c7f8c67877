/**
 * Rate limits, as configuration (Backpack's documented defaults where it has them). Every limit is per minute.
 *
 *   SIGNET_RATE_LIMITS=on|off          default on; off turns every limit off (load tests and benchmarks only)
 *   SIGNET_RATE_LIMIT_SIGNED=2000      signed API requests per subaccount (the verified caller's)
 *   SIGNET_RATE_LIMIT_HISTORY=30       /wapi/v1/history/* requests per subaccount (on top of the above)
 *   SIGNET_RATE_LIMIT_PUBLIC=1200      public /api and /wapi requests per client address
 *   SIGNET_RATE_LIMIT_SIGN_IN=60       console sign-in and sign-up requests per client address
 *   SIGNET_RATE_LIMIT_AUTH_FAILURES=120  failed signed-request authentications (bad signature, unknown key,
 *                                      expired timestamp) per client address; past it, 429 before any check
 *   SIGNET_LIMIT_IPV6_PREFIX=64        IPv6 clients are counted per network of this prefix (an IPv4-mapped address as
 *                                      its IPv4 address), so one customer's /64 shares one allowance
 *
 * With REDIS_URL the counters are shared by every node; without it, or while Redis is down, each process counts
 * for itself.
 */

import { DEFAULT_IPV6_LIMIT_PREFIX, ipv6LimitPrefixFromEnv } from '../keys/index.ts';

export interface RateLimitConfig {
  enabled: boolean;
  signedPerMinute: number;
  historyPerMinute: number;
  publicPerMinute: number;
  signInPerMinute: number;
  authFailuresPerMinute: number;
  /** Per-address limits count IPv6 clients by this prefix (keys/ip-allowlist.ts `addressLimitKey`). */
  ipv6Prefix: number;
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  enabled: true,
  signedPerMinute: 2000,
  historyPerMinute: 30,
  publicPerMinute: 1200,
  signInPerMinute: 60,
  authFailuresPerMinute: 120,
  ipv6Prefix: DEFAULT_IPV6_LIMIT_PREFIX,
};

export const RATE_LIMITS_OFF: RateLimitConfig = { ...DEFAULT_RATE_LIMITS, enabled: false };

function readLimit(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 100_000_000) {
    throw new Error(`${name} must be a whole number of requests per minute (1 or more)`);
  }
  return value;
}

export function rateLimitsFromEnv(env: NodeJS.ProcessEnv): RateLimitConfig {
  const mode = env.SIGNET_RATE_LIMITS?.trim().toLowerCase();
  if (mode !== undefined && mode !== '' && mode !== 'on' && mode !== 'off') {
    throw new Error('SIGNET_RATE_LIMITS must be on or off');
  }
  return {
    enabled: mode !== 'off',
    signedPerMinute: readLimit(env, 'SIGNET_RATE_LIMIT_SIGNED', DEFAULT_RATE_LIMITS.signedPerMinute),
    historyPerMinute: readLimit(env, 'SIGNET_RATE_LIMIT_HISTORY', DEFAULT_RATE_LIMITS.historyPerMinute),
    publicPerMinute: readLimit(env, 'SIGNET_RATE_LIMIT_PUBLIC', DEFAULT_RATE_LIMITS.publicPerMinute),
    signInPerMinute: readLimit(env, 'SIGNET_RATE_LIMIT_SIGN_IN', DEFAULT_RATE_LIMITS.signInPerMinute),
    authFailuresPerMinute: readLimit(
      env,
      'SIGNET_RATE_LIMIT_AUTH_FAILURES',
      DEFAULT_RATE_LIMITS.authFailuresPerMinute,
    ),
    ipv6Prefix: ipv6LimitPrefixFromEnv(env),
  };
}
