/**
 * Operator settings for the console, read once at start: SIGNET_REQUIRE_2FA_FOR_KEYS=true,
 * SIGNET_SECURE_COOKIES=auto|always (auto: Secure when the request came over TLS, directly or through a trusted
 * proxy's X-Forwarded-Proto; always: Secure whatever the transport, for TLS proxies that are not trusted),
 * SIGNET_SANDBOX_DEPOSITS and its caps (exchange/capital/sandbox-funding.ts), the key limits (keys/key-policy.ts),
 * SIGNET_MAX_SUBACCOUNTS_PER_USER, SIGNET_LIMIT_IPV6_PREFIX and SIGNET_2FA_OFF_WITHDRAWAL_PAUSE.
 */
import { maxSubaccountsFromEnv } from '../accounts/index.ts';
import { parseDuration, sandboxFundingFromEnv, type SandboxFundingPolicy } from '../exchange/index.ts';
import { DEFAULT_TWO_FACTOR_OFF_WITHDRAWAL_PAUSE_MS } from './two-factor-service.ts';
import { ipv6LimitPrefixFromEnv, keyPolicyFromEnv, type KeyPolicy } from '../keys/index.ts';

export interface ConsoleConfig {
  /** When true, a user must have 2FA on before the console lets them create an API key. */
  requireTwoFactorForKeys: boolean;
  /** When the session cookie is marked Secure; 'auto' when absent. */
  secureCookies?: 'auto' | 'always';
  /** Whether and how much people may fund themselves from the console; DEFAULT_SANDBOX_FUNDING when absent. */
  sandboxDeposits?: SandboxFundingPolicy;
  /** Allowlist warnings and the keys-per-user cap; DEFAULT_KEY_POLICY when absent. */
  keys?: KeyPolicy;
  /** Named subaccounts a user may make (SIGNET_MAX_SUBACCOUNTS_PER_USER); 50 when absent. */
  maxSubaccountsPerUser?: number;
  /** How long API withdrawals stay paused after a user turns 2FA off (SIGNET_2FA_OFF_WITHDRAWAL_PAUSE); 24 h when absent. */
  twoFactorOffWithdrawalPauseMs?: number;
  /** Sign-in throttling counts IPv6 clients by this prefix (SIGNET_LIMIT_IPV6_PREFIX); 64 when absent. */
  ipv6LimitPrefix?: number;
}

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = {
  requireTwoFactorForKeys: false,
};

function isTrue(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  return v === 'true' || v === '1' || v === 'yes';
}

function withdrawalPauseFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env.SIGNET_2FA_OFF_WITHDRAWAL_PAUSE?.trim();
  if (text === undefined || text === '') return DEFAULT_TWO_FACTOR_OFF_WITHDRAWAL_PAUSE_MS;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new Error(
      `SIGNET_2FA_OFF_WITHDRAWAL_PAUSE must be a duration such as 24h, 1h, 30m or 0, not "${text}"`,
    );
  }
  return ms;
}

export function consoleConfigFromEnv(env: NodeJS.ProcessEnv): ConsoleConfig {
  const config: ConsoleConfig = {
    requireTwoFactorForKeys: isTrue(env.SIGNET_REQUIRE_2FA_FOR_KEYS),
    keys: keyPolicyFromEnv(env),
    ipv6LimitPrefix: ipv6LimitPrefixFromEnv(env),
    maxSubaccountsPerUser: maxSubaccountsFromEnv(env),
    twoFactorOffWithdrawalPauseMs: withdrawalPauseFromEnv(env),
  };
  const secure = env.SIGNET_SECURE_COOKIES?.trim().toLowerCase();
  if (secure !== undefined && secure !== '') {
    if (secure !== 'auto' && secure !== 'always')
      throw new Error('SIGNET_SECURE_COOKIES must be auto or always');
    config.secureCookies = secure;
  }
  if (Object.keys(env).some((name) => name.startsWith('SIGNET_SANDBOX_DEPOSIT'))) {
    config.sandboxDeposits = sandboxFundingFromEnv(env);
  }
  return config;
}
