/**
 * TOTP (RFC 6238) for console two-factor authentication, via `otpauth`: SHA-1, 6 digits, 30-second steps, codes
 * accepted one step either side of now (clock drift), what every authenticator app speaks.
 *
 * Pure: time is a parameter. Invariants: a code is accepted only for a step after the last one accepted
 * (`lastStep`), so each code works once, even within its validity window. Threats: the TOTP secret is a shared
 * secret by nature (the server must hold it to check codes); it is never logged, never put in an audit event, and
 * shown only once, during enrolment.
 */
import { Secret, TOTP } from 'otpauth';

export const TOTP_ISSUER = 'Signet';
const TOTP_OPTIONS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;
const CODE_RE = /^\d{6}$/;

/** A fresh 160-bit secret, base32 (what authenticator apps accept when typed in). */
export function createTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totpFor(secret: string, label = ''): TOTP {
  return new TOTP({ issuer: TOTP_ISSUER, label, secret: Secret.fromBase32(secret), ...TOTP_OPTIONS });
}

/** The `otpauth://totp/...` URI that a QR code carries to an authenticator app. */
export function buildOtpauthUrl(secret: string, accountName: string): string {
  return totpFor(secret, accountName).toString();
}

/**
 * The time step a code belongs to, if it is valid at `now` and newer than `lastStep`; otherwise undefined
 * (wrong, expired, malformed, or already used).
 */
export function matchTotpCode(input: {
  secret: string;
  code: string;
  now: number;
  lastStep: number | null;
}): number | undefined {
  const code = input.code.replace(/\s+/g, '');
  if (!CODE_RE.test(code)) return undefined;
  const totp = totpFor(input.secret);
  const delta = totp.validate({ token: code, timestamp: input.now, window: 1 });
  if (delta === null) return undefined;
  const step = totp.counter({ timestamp: input.now }) + delta;
  if (input.lastStep !== null && step <= input.lastStep) return undefined;
  return step;
}

/** The code an authenticator shows at `now` (tests, and nothing else, need to compute one). */
export function generateTotpCode(secret: string, now: number): string {
  return totpFor(secret).generate({ timestamp: now });
}
