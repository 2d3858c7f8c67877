/**
 * Signing up, in and out of the console. Sessions are in sessions.ts, throttling in login-throttle*.ts, TOTP in
 * two-factor*.ts; this module puts them together in the order that keeps them safe.
 *
 * Threats and answers:
 * - Password guessing: failures are throttled per (account, IP) and per IP *before* the password is checked, and
 *   per account from addresses the account never used (known-addresses.ts): no lockout of the owner.
 * - Account enumeration by login: one message ("Invalid email or password") for an unknown email and a wrong
 *   password, and an unknown email still pays for a scrypt verification (DUMMY_PASSWORD_HASH), so the time is
 *   the same. The per-account counter is keyed by the email typed, whether or not the account exists.
 * - Account enumeration by signup: a signup for a taken email says so (409), as nearly every service does, since
 *   a person must learn why they cannot sign up; each such answer counts as a failure against the caller's IP,
 *   so harvesting emails this way is as slow as guessing passwords.
 * - 2FA: the second factor (a TOTP code, or one of the recovery codes) is asked for only after a correct
 *   password, and wrong codes are throttled per user.
 * Passwords, codes and session tokens never reach logs or audit events.
 */
import type { Kysely } from 'kysely';

import { AppError } from '../errors.ts';
import type { Database } from '../store/schema.ts';
import {
  createUser,
  DUMMY_PASSWORD_HASH,
  findUserByEmail,
  recordAuditEvent,
  verifyPassword,
  type AuditContext,
  type User,
} from '../accounts/index.ts';
import { addressLimitKey } from '../keys/index.ts';
import { isKnownAddress } from './known-addresses.ts';
import { ACCOUNT_THROTTLE, IP_THROTTLE } from './login-throttle.ts';
import {
  beginLoginAttempt,
  checkIpThrottle,
  clearFailures,
  forgiveOneFailure,
  pruneQuietCounters,
  recordIpFailure,
} from './login-throttle-store.ts';
import { RetryLaterError } from './retry-later-error.ts';
import { createSession, deleteSession } from './sessions.ts';
import { verifySignInSecondFactor } from './two-factor-service.ts';

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid email or password';

export interface SignedIn {
  status: 'signed_in';
  user: User;
  /** The new session's cookie token: goes into the cookie and nowhere else. */
  token: string;
}

export type SignInOutcome = SignedIn | { status: 'two_factor_required' };

/**
 * The address sign-in throttling counts a client under: its IPv6 /64 (or `ipv6Prefix`), or its IPv4 address, in
 * one spelling (keys/ip-allowlist.ts `addressLimitKey`), so the addresses of one network share one allowance.
 */
function throttleAddress(context: AuditContext, ipv6Prefix: number | undefined): string {
  return context.ip ? addressLimitKey(context.ip, ipv6Prefix) : 'unknown';
}

function ipScope(context: AuditContext, ipv6Prefix?: number): { key: string; policy: typeof IP_THROTTLE } {
  return { key: `ip:${throttleAddress(context, ipv6Prefix)}`, policy: IP_THROTTLE };
}

export async function signUp(
  db: Kysely<Database>,
  input: { email: string; password: string; context: AuditContext; now: number; ipv6Prefix?: number },
): Promise<SignedIn> {
  const scope = ipScope(input.context, input.ipv6Prefix);
  const decision = await checkIpThrottle(db, scope, input.now);
  if (!decision.allowed)
    throw new RetryLaterError('Too many failed attempts from this address.', decision.retryAfterMs);
  let user: User;
  try {
    user = await createUser(db, input);
  } catch (error) {
    if (error instanceof AppError && error.code === 'CONFLICT') await recordIpFailure(db, scope, input.now);
    throw error;
  }
  const { token } = await createSession(db, { userId: user.id, context: input.context, now: input.now });
  return { status: 'signed_in', user, token };
}

export async function signIn(
  db: Kysely<Database>,
  input: {
    email: string;
    password: string;
    totpCode?: string;
    context: AuditContext;
    now: number;
    /** Per-address counters group IPv6 clients by this prefix (default 64). */
    ipv6Prefix?: number;
  },
): Promise<SignInOutcome> {
  const email = input.email.trim().toLowerCase();
  const ip = ipScope(input.context, input.ipv6Prefix);
  // Counted per (account, address) and per address always; per account only from addresses the account has
  // never used, so failures from elsewhere slow an attacker down but never lock the owner out.
  const accountAtAddressKey = `account-ip:${email} ${throttleAddress(input.context, input.ipv6Prefix)}`;
  const accountKey = `account:${email}`;
  const user = await findUserByEmail(db, email);
  const known = user !== undefined && (await isKnownAddress(db, user.id, input.context.ip ?? 'unknown'));
  const decision = await beginLoginAttempt(
    db,
    [
      { key: accountAtAddressKey, policy: ACCOUNT_THROTTLE },
      ip,
      ...(known ? [] : [{ key: accountKey, policy: ACCOUNT_THROTTLE }]),
    ],
    input.now,
  );
  if (!decision.allowed)
    throw new RetryLaterError('Too many failed sign-in attempts.', decision.retryAfterMs);

  // Unknown emails are checked against a dummy hash so both paths cost one scrypt.
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !passwordOk) {
    if (user) {
      await recordAuditEvent(db, {
        userId: user.id,
        type: 'login.failed',
        details: { reason: 'password' },
        context: input.context,
        now: input.now,
      });
    }
    throw AppError.of('INVALID_CREDENTIALS', INVALID_CREDENTIALS_MESSAGE);
  }
  // The password is right: this is not a guess, whatever happens with the second factor.
  await clearFailures(db, accountAtAddressKey);
  await clearFailures(db, accountKey);
  await forgiveOneFailure(db, ip.key);
  await pruneQuietCounters(db, {
    quietMs: Math.max(ACCOUNT_THROTTLE.resetAfterMs, IP_THROTTLE.resetAfterMs),
    now: input.now,
  });

  if (user.totpEnabled) {
    if (input.totpCode === undefined || input.totpCode.trim() === '')
      return { status: 'two_factor_required' };
    try {
      await verifySignInSecondFactor(db, {
        userId: user.id,
        code: input.totpCode,
        context: input.context,
        now: input.now,
      });
    } catch (error) {
      await recordAuditEvent(db, {
        userId: user.id,
        type: 'login.failed',
        details: { reason: 'two_factor' },
        context: input.context,
        now: input.now,
      });
      throw error;
    }
  }

  const { token } = await createSession(db, { userId: user.id, context: input.context, now: input.now });
  await recordAuditEvent(db, {
    userId: user.id,
    type: 'login.succeeded',
    details: { twoFactor: user.totpEnabled },
    context: input.context,
    now: input.now,
  });
  return {
    status: 'signed_in',
    user: { id: user.id, email: user.email, totpEnabled: user.totpEnabled, createdAt: user.createdAt },
    token,
  };
}

export async function signOut(
  db: Kysely<Database>,
  input: { token: string; userId: string; context: AuditContext; now: number },
): Promise<void> {
  await deleteSession(db, input.token);
  await recordAuditEvent(db, {
    userId: input.userId,
    type: 'logout',
    context: input.context,
    now: input.now,
  });
}
