/**
 * Operator settings for the console, read once at start (`SIGNET_REQUIRE_2FA_FOR_KEYS=true`,
 * `SIGNET_WITHDRAWALS_OPT_IN=true`).
 */

export interface ConsoleConfig {
  /** When true, a user must have 2FA on before the console lets them create an API key. */
  requireTwoFactorForKeys: boolean;
  /**
   * When true, a new console key that is not read-only gets read + trade unless the person ticks "Allow
   * withdrawals"; by default it gets withdraw too, as Backpack's full keys do.
   */
  withdrawalsOptIn?: boolean;
}

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = {
  requireTwoFactorForKeys: false,
  withdrawalsOptIn: false,
};

function isTrue(value: string | undefined): boolean {
  const v = value?.trim().toLowerCase();
  return v === 'true' || v === '1' || v === 'yes';
}

export function consoleConfigFromEnv(env: NodeJS.ProcessEnv): ConsoleConfig {
  return {
    requireTwoFactorForKeys: isTrue(env.SIGNET_REQUIRE_2FA_FOR_KEYS),
    withdrawalsOptIn: isTrue(env.SIGNET_WITHDRAWALS_OPT_IN),
  };
}
