/**
 * Two-factor authentication for console users: enrol (a new secret, pending until a code confirms it), enable
 * (which makes ten single-use recovery codes, recovery-codes.ts), disable, and check a code for a sensitive action
 * (sign-in, API key creation). A recovery code stands in for a TOTP code at sign-in and to turn 2FA off only.
 * Turning 2FA off pauses the user's API withdrawals for a while (SIGNET_2FA_OFF_WITHDRAWAL_PAUSE, default 24 h),
 * as exchanges do after a security change: a thief who took the account and removed 2FA cannot drain it at once.
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
import {
  countUnusedRecoveryCodes,
  deleteRecoveryCodes,
  normaliseRecoveryCode,
  replaceRecoveryCodes,
  spendRecoveryCode,
} from './recovery-codes.ts';
import { buildOtpauthUrl, createTotpSecret, matchTotpCode } from './two-factor.ts';

/** How long API withdrawals stay paused after 2FA is turned off, unless the operator says. */
export const DEFAULT_TWO_FACTOR_OFF_WITHDRAWAL_PAUSE_MS = 24 * 3600_000;

export const INVALID_CODE_OR_RECOVERY_MESSAGE =
  'The code is not valid. Enter the current code from your authenticator app, or an unused recovery code.';

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
    // A new secret starts with no spent step: the last step of an earlier secret would refuse this one's first
    // code as "already used" (regression: re-enabling 2FA within a minute of turning it off failed).
    .set({ totp_secret: secret, totp_last_step: null })
    .where('id', '=', userId)
    .where('totp_enabled', '=', 0)
    .execute();
  return { secret, otpauthUrl: buildOtpauthUrl(secret, state.email) };
}

/** Confirms enrolment with a code from the pending secret, turning 2FA on; returns the ten recovery codes. */
export async function enableTwoFactor(
  db: Kysely<Database>,
  input: { userId: string; code: string; context?: AuditContext; now: number },
): Promise<{ recoveryCodes: string[] }> {
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
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set({ totp_enabled: 1 }).where('id', '=', input.userId).execute();
    const recoveryCodes = await replaceRecoveryCodes(trx, { userId: input.userId, now: input.now });
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'totp.enabled',
      context: input.context,
      now: input.now,
    });
    return { recoveryCodes };
  });
}

/**
 * A second factor where a recovery code may stand in for the TOTP code (sign-in, turning 2FA off): a code that
 * looks like a recovery code is spent as one (single-use, throttled with the TOTP codes), anything else is
 * checked as a TOTP code.
 */
async function spendSecondFactor(
  db: Kysely<Database>,
  input: {
    userId: string;
    secret: string;
    code: string;
    lastStep: number | null;
    context?: AuditContext;
    now: number;
  },
): Promise<'totp' | 'recovery_code'> {
  if (normaliseRecoveryCode(input.code) === undefined) {
    await spendCode(db, input);
    return 'totp';
  }
  const scope = { key: `totp:${input.userId}`, policy: ACCOUNT_THROTTLE };
  const decision = await beginLoginAttempt(db, [scope], input.now);
  if (!decision.allowed) throw new RetryLaterError('Too many wrong two-factor codes.', decision.retryAfterMs);
  if (!(await spendRecoveryCode(db, { userId: input.userId, code: input.code, now: input.now }))) {
    throw new AppError('INVALID_TWO_FACTOR_CODE', INVALID_CODE_OR_RECOVERY_MESSAGE);
  }
  await clearFailures(db, scope.key);
  await recordAuditEvent(db, {
    userId: input.userId,
    type: 'totp.recovery_code_used',
    details: { left: await countUnusedRecoveryCodes(db, input.userId) },
    context: input.context,
    now: input.now,
  });
  return 'recovery_code';
}

/** For sign-in: a TOTP code or an unused recovery code. Throws INVALID_TWO_FACTOR_CODE otherwise. */
export async function verifySignInSecondFactor(
  db: Kysely<Database>,
  input: { userId: string; code: string; context?: AuditContext; now: number },
): Promise<'totp' | 'recovery_code'> {
  const state = await readTotpState(db, input.userId);
  if (!state.enabled || state.secret === null) return 'totp';
  return spendSecondFactor(db, { ...input, secret: state.secret, lastStep: state.lastStep });
}

/** New recovery codes in place of the old ones (all of them, used or not); needs a current TOTP code. */
export async function regenerateRecoveryCodes(
  db: Kysely<Database>,
  input: { userId: string; code: string | undefined; context?: AuditContext; now: number },
): Promise<{ recoveryCodes: string[] }> {
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
  return db.transaction().execute(async (trx) => {
    const recoveryCodes = await replaceRecoveryCodes(trx, { userId: input.userId, now: input.now });
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'totp.recovery_codes_regenerated',
      context: input.context,
      now: input.now,
    });
    return { recoveryCodes };
  });
}

/** How many unused recovery codes the user has left (0 without 2FA). */
export async function recoveryCodesLeft(db: Kysely<Database>, userId: string): Promise<number> {
  return countUnusedRecoveryCodes(db, userId);
}

/**
 * Turns 2FA off; needs a current code or an unused recovery code, so a stolen session alone cannot remove the
 * second factor. The recovery codes go with it, and the user's API withdrawals are paused for `withdrawalPauseMs`
 * (the later of that and any pause already running). Returns when they resume.
 */
export async function disableTwoFactor(
  db: Kysely<Database>,
  input: {
    userId: string;
    code: string;
    withdrawalPauseMs?: number;
    context?: AuditContext;
    now: number;
  },
): Promise<{ apiWithdrawalsPausedUntil: number | null }> {
  const state = await readTotpState(db, input.userId);
  if (!state.enabled || state.secret === null)
    throw AppError.of('TWO_FACTOR_NOT_ON', 'Two-factor authentication is not on');
  const method = await spendSecondFactor(db, {
    userId: input.userId,
    secret: state.secret,
    code: input.code,
    lastStep: state.lastStep,
    context: input.context,
    now: input.now,
  });
  const pauseMs = input.withdrawalPauseMs ?? DEFAULT_TWO_FACTOR_OFF_WITHDRAWAL_PAUSE_MS;
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('users')
      .select('api_withdrawals_paused_until')
      .where('id', '=', input.userId)
      .executeTakeFirst();
    const running =
      current?.api_withdrawals_paused_until == null ? 0 : Number(current.api_withdrawals_paused_until);
    const until = pauseMs > 0 ? Math.max(running, input.now + pauseMs) : running > input.now ? running : null;
    await trx
      .updateTable('users')
      .set({ totp_enabled: 0, totp_secret: null, api_withdrawals_paused_until: until })
      .where('id', '=', input.userId)
      .execute();
    await deleteRecoveryCodes(trx, input.userId);
    await recordAuditEvent(trx, {
      userId: input.userId,
      type: 'totp.disabled',
      details: { with: method, apiWithdrawalsPausedUntil: until },
      context: input.context,
      now: input.now,
    });
    return { apiWithdrawalsPausedUntil: until };
  });
}

/**
 * When the user's API withdrawals resume after 2FA was turned off, or undefined when they are not paused at `now`.
 * One indexed read by primary key: withdrawals are rare, so this costs nothing on the hot path.
 */
export async function apiWithdrawalsPausedUntil(
  db: Kysely<Database>,
  input: { userId: string; now: number },
): Promise<number | undefined> {
  const row = await db
    .selectFrom('users')
    .select('api_withdrawals_paused_until')
    .where('id', '=', input.userId)
    .executeTakeFirst();
  const until = row?.api_withdrawals_paused_until;
  return until != null && Number(until) > input.now ? Number(until) : undefined;
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
