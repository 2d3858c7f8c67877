/**
 * The TOTP check shared by the key routes that widen access or take it away: a widening edit, a rotation, a
 * revoke, revoke-all. With 2FA on, a fresh code is required (single-use, throttled: two-factor-service.ts).
 * `enrolment`: when the operator requires 2FA for keys, a user without it cannot make or widen keys — but can
 * always revoke them (locking a key down must never be blocked).
 */
import type { User } from '../../../accounts/index.ts';
import { verifyTwoFactorCode } from '../../../console/two-factor-service.ts';
import { AppError } from '../../../errors.ts';
import type { ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { TWO_FACTOR_REQUIRED_FOR_KEYS_MESSAGE } from './post-api-key.ts';

export async function confirmKeyAction(
  deps: Pick<ConsoleRouteDeps, 'db' | 'config'>,
  input: { user: User; code: string | undefined; now: number; grantsAccess: boolean },
): Promise<void> {
  if (input.grantsAccess && deps.config.requireTwoFactorForKeys && !input.user.totpEnabled) {
    throw AppError.of('TWO_FACTOR_REQUIRED', TWO_FACTOR_REQUIRED_FOR_KEYS_MESSAGE);
  }
  await verifyTwoFactorCode(deps.db, { userId: input.user.id, code: input.code, now: input.now });
}
