/**
 * Confirming that the person at the console is the account's owner before a sensitive change (adding a
 * withdrawal address, allowing one for API withdrawals, a console withdrawal to a 2FA-protected address): the
 * current TOTP code when the account has 2FA, the password otherwise.
 *
 * Threat: a stolen session cookie alone must not be enough. Codes are single-use and throttled per user (see
 * two-factor-service.ts); wrong passwords are throttled per user the same way, so a stolen session cannot guess
 * the password here either. Neither the code nor the password is logged or recorded.
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import type { Database } from '../store/schema.ts';
import { ACCOUNT_THROTTLE } from './login-throttle.ts';
import { beginLoginAttempt, clearFailures } from './login-throttle-store.ts';
import { verifyPassword, type IdentityProof } from '../accounts/index.ts';
import { RetryLaterError } from './retry-later-error.ts';
import { verifyTwoFactorCode } from './two-factor-service.ts';

export type { IdentityProof };

export const PASSWORD_REQUIRED_MESSAGE = 'Enter your password to confirm';
export const WRONG_PASSWORD_MESSAGE = 'The password is not correct';

/** Passes for a fresh TOTP code (2FA on) or the right password (2FA off); throws a 4xx otherwise. */
export async function confirmIdentity(
  db: Kysely<Database>,
  input: { userId: string; proof: IdentityProof; now: number },
): Promise<{ method: 'totp' | 'password' }> {
  const user = await db
    .selectFrom('users')
    .select(['password_hash', 'totp_enabled'])
    .where('id', '=', input.userId)
    .executeTakeFirst();
  if (!user) throw AppError.of('SESSION_REQUIRED', 'Sign in to continue');
  if (user.totp_enabled === 1) {
    await verifyTwoFactorCode(db, { userId: input.userId, code: input.proof.totpCode, now: input.now });
    return { method: 'totp' };
  }
  const password = input.proof.password;
  if (password === undefined || password === '')
    throw AppError.of('PASSWORD_REQUIRED', PASSWORD_REQUIRED_MESSAGE);
  // Counted before the check, forgiven after a success: the same discipline as sign-in.
  const scope = { key: `password:${input.userId}`, policy: ACCOUNT_THROTTLE };
  const decision = await beginLoginAttempt(db, [scope], input.now);
  if (!decision.allowed) throw new RetryLaterError('Too many wrong passwords.', decision.retryAfterMs);
  if (!(await verifyPassword(password, user.password_hash))) {
    throw AppError.of('PASSWORD_WRONG', WRONG_PASSWORD_MESSAGE);
  }
  await clearFailures(db, scope.key);
  return { method: 'password' };
}
