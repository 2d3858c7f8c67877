/**
 * The owner's proof shared by the key routes that widen access or take it away: a widening edit, a rotation, a
 * revoke, revoke-all. A widening, a rotation and revoke-all always need proof: a fresh TOTP code with 2FA on, the
 * password with it off (console/confirm-identity.ts, the address book's rule), so a stolen session cookie alone
 * can neither open a key up nor swap or kill every key of the account. Revoking one key needs the code with 2FA
 * on and nothing more with it off (locking one key down in a hurry must stay one click).
 * `enrolment`: when the operator requires 2FA for keys, a user without it cannot make or widen keys — but can
 * always revoke them (locking a key down must never be blocked).
 */
import type { User } from '../../../accounts/index.ts';
import { confirmIdentity, type IdentityProof } from '../../../console/confirm-identity.ts';
import { verifyTwoFactorCode } from '../../../console/two-factor-service.ts';
import { AppError } from '../../../errors.ts';
import type { ConsoleRouteDeps } from '../../plugins/console-session.ts';
import { TWO_FACTOR_REQUIRED_FOR_KEYS_MESSAGE } from './post-api-key.ts';

export async function confirmKeyAction(
  deps: Pick<ConsoleRouteDeps, 'db' | 'config'>,
  input: {
    user: User;
    proof: IdentityProof;
    now: number;
    grantsAccess: boolean;
    /** true: the password when 2FA is off; false: only the code, and only when 2FA is on. */
    needsProof: boolean;
  },
): Promise<void> {
  if (input.grantsAccess && deps.config.requireTwoFactorForKeys && !input.user.totpEnabled) {
    throw AppError.of('TWO_FACTOR_REQUIRED', TWO_FACTOR_REQUIRED_FOR_KEYS_MESSAGE);
  }
  if (input.needsProof) {
    await confirmIdentity(deps.db, { userId: input.user.id, proof: input.proof, now: input.now });
    return;
  }
  await verifyTwoFactorCode(deps.db, { userId: input.user.id, code: input.proof.totpCode, now: input.now });
}
