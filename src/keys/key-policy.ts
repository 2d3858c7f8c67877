/**
 * The operator's limits on keys, read from the environment by the server and the CLI alike:
 * SIGNET_ALLOWLIST_WARN_IPV4_PREFIX / SIGNET_ALLOWLIST_WARN_IPV6_PREFIX (allowlist entries broader than these are
 * warned about; default /8 and /32), SIGNET_MAX_KEYS_PER_USER (live keys one user may hold; default 100) and
 * SIGNET_WITHDRAW_REQUIRES_ALLOWLIST (on: a key that can withdraw needs an IP allowlist; default off).
 * A bad value stops the start with a message naming the variable, never a silent default.
 */
import { AppError } from '../errors.ts';
import { DEFAULT_BROAD_PREFIXES, DEFAULT_IPV6_LIMIT_PREFIX, type BroadPrefixes } from './ip-allowlist.ts';
import { PERMISSION_BITS } from './permissions.ts';

export interface KeyPolicy {
  broadPrefixes: BroadPrefixes;
  /** Keys a user may hold that are neither revoked nor expired. */
  maxKeysPerUser: number;
  /** SIGNET_WITHDRAW_REQUIRES_ALLOWLIST=on: a key that can withdraw must have an IP allowlist (Binance's rule). */
  withdrawRequiresAllowlist: boolean;
}

export const DEFAULT_MAX_KEYS_PER_USER = 100;

export const DEFAULT_KEY_POLICY: KeyPolicy = {
  broadPrefixes: DEFAULT_BROAD_PREFIXES,
  maxKeysPerUser: DEFAULT_MAX_KEYS_PER_USER,
  withdrawRequiresAllowlist: false,
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

function onOffFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const text = env[name]?.trim().toLowerCase();
  if (text === undefined || text === '') return fallback;
  if (text === 'on' || text === 'true' || text === '1') return true;
  if (text === 'off' || text === 'false' || text === '0') return false;
  throw new Error(`${name} must be on or off (got ${text})`);
}

/**
 * Refuses controls that give a key withdraw without an allowlist when the operator requires one
 * (SIGNET_WITHDRAW_REQUIRES_ALLOWLIST=on).
 */
export function assertWithdrawAllowlist(
  policy: Pick<KeyPolicy, 'withdrawRequiresAllowlist'> | undefined,
  controls: { permissions: number; allowedIps: string | null },
): void {
  if (!policy?.withdrawRequiresAllowlist) return;
  if ((controls.permissions & PERMISSION_BITS.withdraw) === 0 || controls.allowedIps !== null) return;
  throw AppError.of(
    'ALLOWLIST_REQUIRED_FOR_WITHDRAW',
    'This server requires an IP allowlist for keys that can withdraw: add the addresses the key is used from',
  );
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
    withdrawRequiresAllowlist: onOffFromEnv(env, 'SIGNET_WITHDRAW_REQUIRES_ALLOWLIST', false),
  };
}

/** SIGNET_LIMIT_IPV6_PREFIX: the IPv6 network size per-address limits count a client by (default /64). */
export function ipv6LimitPrefixFromEnv(env: NodeJS.ProcessEnv): number {
  return integerFromEnv(env, 'SIGNET_LIMIT_IPV6_PREFIX', DEFAULT_IPV6_LIMIT_PREFIX, { min: 32, max: 128 });
}
