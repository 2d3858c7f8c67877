/**
 * What the UI says about a failed request. In English the server's own message is shown (it is the most
 * precise: "Public key must decode to 32 bytes, got 31"); other languages get a translation for the errors a
 * person commonly meets, and the server's message for the rest.
 */
import type { MessageKey } from '../i18n/en.ts';
import type { Language, Translate } from '../i18n/i18n.tsx';
import { ApiError } from './console-api.ts';

const BY_MESSAGE: Array<[RegExp, MessageKey]> = [
  [/^Invalid email or password/, 'error.invalidCredentials'],
  [/^An account with this email already exists/, 'error.emailTaken'],
  [/^Password must be at least/, 'error.passwordTooShort'],
  [/^Email address is not valid/, 'error.invalidEmail'],
  [/^Public key must be standard padded base64/, 'error.publicKeyBase64'],
  [/^Public key must decode to 32 bytes/, 'error.publicKeyLength'],
  [/^Public key is (not a valid ED25519 curve point|a small-order point)/, 'error.publicKeyPoint'],
  [/^This public key is already registered/, 'error.publicKeyTaken'],
  [/requires two-factor authentication for API keys/, 'error.twoFactorRequired'],
  [/CSRF token/, 'error.csrf'],
  [/^A subaccount named/, 'error.subaccountTaken'],
  [/^Subaccount name must be/, 'error.subaccountName'],
  [/^Quantity is larger than one sandbox deposit/, 'error.quantityTooLarge'],
  [/past the sandbox limit/, 'error.balanceLimit'],
  [/^Too many decimal places/, 'error.quantityDecimals'],
  [/^Quantity must be greater than zero/, 'error.quantityPositive'],
  [/^(Invalid decimal|Quantity must be a decimal string|Quantity is too large)/, 'error.quantityInvalid'],
  [/^No subaccount/, 'error.subaccountNotFound'],
  [/^This code was already used/, 'error.twoFactorReused'],
];

const BY_CODE: Partial<Record<string, MessageKey>> = {
  INVALID_TWO_FACTOR_CODE: 'error.twoFactorCode',
  INVALID_ASSET: 'error.assetInvalid',
  NETWORK_ERROR: 'error.network',
  SERVER_ERROR: 'error.server',
};

export function describeError(error: unknown, language: Language, t: Translate): string {
  const message = error instanceof Error ? error.message : String(error);
  if (language === 'en' || !(error instanceof ApiError)) return message;
  if (error.code === 'TOO_MANY_REQUESTS') {
    const seconds = /in (\d+) second/.exec(message)?.[1] ?? '?';
    return t('error.tooManyAttempts', { seconds });
  }
  const byMessage = BY_MESSAGE.find(([pattern]) => pattern.test(message))?.[1];
  const key = byMessage ?? BY_CODE[error.code];
  return key ? t(key) : message;
}
