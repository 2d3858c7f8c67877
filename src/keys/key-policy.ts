/**
 * The operator's limits on keys, read from the environment by the server and the CLI alike:
 * SIGNET_ALLOWLIST_WARN_IPV4_PREFIX / SIGNET_ALLOWLIST_WARN_IPV6_PREFIX (allowlist entries broader than these are
 * warned about; default /8 and /32) and SIGNET_MAX_KEYS_PER_USER (live keys one user may hold; default 100).
 * A bad value stops the start with a message naming the variable, never a silent default.
 */
import { DEFAULT_BROAD_PREFIXES, DEFAULT_IPV6_LIMIT_PREFIX, type BroadPrefixes } from './ip-allowlist.ts';

export interface KeyPolicy {
  broadPrefixes: BroadPrefixes;
  /** Keys a user may hold that are neither revoked nor expired. */
  maxKeysPerUser: number;
}

export const DEFAULT_MAX_KEYS_PER_USER = 100;

export const DEFAULT_KEY_POLICY: KeyPolicy = {
  broadPrefixes: DEFAULT_BROAD_PREFIXES,
  maxKeysPerUser: DEFAULT_MAX_KEYS_PER_USER,
};

/** A whole number from `min` to `max` in `env[name]`, or `fallback` when unset. */
export function integerFromEnv(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < range.min || value > range.max) {
    throw new Error(`${name} must be a whole number from ${range.min} to ${range.max} (got ${text})`);
  }
  return value;
}

export function keyPolicyFromEnv(env: NodeJS.ProcessEnv): KeyPolicy {
  return {
    broadPrefixes: {
      ipv4: integerFromEnv(env, 'SIGNET_ALLOWLIST_WARN_IPV4_PREFIX', DEFAULT_BROAD_PREFIXES.ipv4, {
        min: 0,
        max: 32,
      }),
      ipv6: integerFromEnv(env, 'SIGNET_ALLOWLIST_WARN_IPV6_PREFIX', DEFAULT_BROAD_PREFIXES.ipv6, {
        min: 0,
        max: 128,
      }),
    },
    maxKeysPerUser: integerFromEnv(env, 'SIGNET_MAX_KEYS_PER_USER', DEFAULT_MAX_KEYS_PER_USER, {
      min: 1,
      max: 1_000_000,
    }),
  };
}

/** SIGNET_LIMIT_IPV6_PREFIX: the IPv6 network size per-address limits count a client by (default /64). */
export function ipv6LimitPrefixFromEnv(env: NodeJS.ProcessEnv): number {
  return integerFromEnv(env, 'SIGNET_LIMIT_IPV6_PREFIX', DEFAULT_IPV6_LIMIT_PREFIX, { min: 32, max: 128 });
}
