/**
 * Two-factor authentication for console users: enrol (a new secret, pending until a code confirms it), enable,
 * disable, and check a code for a sensitive action (sign-in, API key creation).
 *
 * Invariants: a secret is pending while `totp_enabled = 0` and active once a code made from it has been accepted;
 * a code is spent atomically (`totp_last_step` only moves forward, in the same UPDATE that checks it), so two
 * concurrent requests cannot both use it; wrong codes are throttled per user like failed passwords, so a stolen
 * session cannot brute-force the 6 digits. Secrets and codes never reach logs or audit events.
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import type { Database } from '../store/schema.ts';
import { recordAuditEvent, type AuditContext } from '../accounts/index.ts';
import { ACCOUNT_THROTTLE } from './login-throttle.ts';
import { beginLoginAttempt, clearFailures } from './login-throttle-store.ts';
import { RetryLaterError } from './retry-later-error.ts';
import { buildOtpauthUrl, createTotpSecret, matchTotpCode } from './two-factor.ts';

export const INVALID_CODE_MESSAGE =
  'The two-factor code is not valid. Enter the current code from your authenticator app.';
/** A right code whose time step was already spent: say so, or the person retypes the same code forever. */
export const REUSED_CODE_MESSAGE = 'This code was already used; wait for the next one.';

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
}

async function readTotpState(
  db: Kysely<Database>,
  userId: string,
): Promise<{ email: string; secret: string | null; enabled: boolean; lastStep: number | null }> {
  const row = await db
    .selectFrom('users')
    .select(['email', 'totp_secret', 'totp_enabled', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!row) throw AppError.of('SESSION_REQUIRED', 'Sign in to continue');
  return {
    email: row.email,
    secret: row.totp_secret,
    enabled: row.totp_enabled === 1,
    lastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
  };
}

/**
 * Checks a code against a secret and spends it: throttled per user, single-use. Throws INVALID_TWO_FACTOR_CODE
 * or TOO_MANY_REQUESTS; returns normally only for a fresh, valid code.
 */
async function spendCode(
  db: Kysely<Database>,
  input: { userId: string; secret: string; code: string | undefined; lastStep: number | null; now: number },
): Promise<void> {
  const scope = { key: `totp:${input.userId}`, policy: ACCOUNT_THROTTLE };
  const decision = await beginLoginAttempt(db, [scope], input.now);
  if (!decision.allowed) throw new RetryLaterError('Too many wrong two-factor codes.', decision.retryAfterMs);
  const step = matchTotpCode({
    secret: input.secret,
    code: input.code ?? '',
    now: input.now,
    lastStep: input.lastStep,
  });
  if (step === undefined) {
    const spent =
      input.lastStep !== null &&
      matchTotpCode({ secret: input.secret, code: input.code ?? '', now: input.now, lastStep: null }) !==
        undefined;
    throw spent
      ? AppError.of('TWO_FACTOR_CODE_REUSED', REUSED_CODE_MESSAGE)
      : new AppError('INVALID_TWO_FACTOR_CODE', INVALID_CODE_MESSAGE);
  }
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', input.userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  // Another request spent this step (or a later one) between our read and this update: a replay.
  if (Number(result.numUpdatedRows) !== 1) throw AppError.of('TWO_FACTOR_CODE_REUSED', REUSED_CODE_MESSAGE);
  await clearFailures(db, scope.key);
}

/** Starts (or restarts) enrolment: a new pending secret replaces any earlier pending one. */
export async function beginTwoFactorSetup(db: Kysely<Database>, userId: string): Promise<TwoFactorSetup> {
  const state = await readTotpState(db, userId);
  if (state.enabled) throw AppError.of('TWO_FACTOR_ALREADY_ON', 'Two-factor authentication is already on');
  const secret = createTotpSecret();
  await db
    .updateTable('users')
    .set({ totp_secret: secret })
    .where('id', '=', userId)
    .where('totp_enabled', '=', 0)
    .execute();
  return { secret, otpauthUrl: buildOtpauthUrl(secret, state.email) };
}

/** Confirms enrolment with a code from the pending secret, turning 2FA on. */
export async function enableTwoFactor(
  db: Kysely<Database>,
  input: { userId: string; code: string; context?: AuditContext; now: number },
): Promise<void> {
  const state = await readTotpState(db, input.userId);
  if (state.enabled) throw AppError.of('TWO_FACTOR_ALREADY_ON', 'Two-factor authentication is already on');
  if (state.secret === null)
    throw AppError.of('TWO_FACTOR_SETUP_FIRST', 'Start two-factor setup first to get a secret');
  await spendCode(db, {
    userId: input.userId,
    secret: state.secret,
    code: input.code,
    lastStep: state.lastStep,
    now: input.now,
  });
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ totp_enabled: 1 }).where('id', '=', input.userId).execute();
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'totp.enabled',
      context: input.context,
      now: input.now,
    });
  });
}

/** Turns 2FA off; needs a current code, so a stolen session alone cannot remove the second factor. */
export async function disableTwoFactor(
  db: Kysely<Database>,
  input: { userId: string; code: string; context?: AuditContext; now: number },
): Promise<void> {
  const state = await readTotpState(db, input.userId);
  if (!state.enabled || state.secret === null)
    throw AppError.of('TWO_FACTOR_NOT_ON', 'Two-factor authentication is not on');
  await spendCode(db, {
    userId: input.userId,
    secret: state.secret,
    code: input.code,
    lastStep: state.lastStep,
    now: input.now,
  });
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ totp_enabled: 0, totp_secret: null })
      .where('id', '=', input.userId)
      .execute();
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'totp.disabled',
      context: input.context,
      now: input.now,
    });
  });
}

/**
 * For an action that 2FA protects: passes when 2FA is off, otherwise needs a fresh valid code. Returns whether a
 * code was checked.
 */
export async function verifyTwoFactorCode(
  db: Kysely<Database>,
  input: { userId: string; code: string | undefined; now: number },
): Promise<{ checked: boolean }> {
  const state = await readTotpState(db, input.userId);
  if (!state.enabled || state.secret === null) return { checked: false };
  if (input.code === undefined || input.code.trim() === '')
    throw new AppError('INVALID_TWO_FACTOR_CODE', 'Enter the current code from your authenticator app');
  await spendCode(db, {
    userId: input.userId,
    secret: state.secret,
    code: input.code,
    lastStep: state.lastStep,
    now: input.now,
  });
  return { checked: true };
}
