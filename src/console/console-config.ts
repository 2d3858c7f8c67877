/** Operator settings for the console, read once at start (`SIGNET_REQUIRE_2FA_FOR_KEYS=true`). */

export interface ConsoleConfig {
  /** When true, a user must have 2FA on before the console lets them create an API key. */
  requireTwoFactorForKeys: boolean;
}

export const DEFAULT_CONSOLE_CONFIG: ConsoleConfig = { requireTwoFactorForKeys: false };

export function consoleConfigFromEnv(env: NodeJS.ProcessEnv): ConsoleConfig {
  const value = env.SIGNET_REQUIRE_2FA_FOR_KEYS?.trim().toLowerCase();
  return { requireTwoFactorForKeys: value === 'true' || value === '1' || value === 'yes' };
}
