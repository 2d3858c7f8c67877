/**
 * What the UI says about a failed request. In English the server's own message is shown (it is the most
 * precise: "Public key must decode to 32 bytes, got 31"); other languages get a translation chosen by the
 * error's stable `detail` or `code` (src/errors.ts, docs/ERRORS.md), never by the English wording, so a reworded
 * message cannot break a translation. Anything without a translation shows the server's message.
 */
import type { MessageKey } from '../i18n/en.ts';
import type { Language, Translate } from '../i18n/i18n.tsx';
import { ApiError } from './console-api.ts';

export const BY_DETAIL: Partial<Record<string, MessageKey>> = {
  INVALID_CREDENTIALS: 'error.invalidCredentials',
  EMAIL_TAKEN: 'error.emailTaken',
  PASSWORD_TOO_SHORT: 'error.passwordTooShort',
  EMAIL_INVALID: 'error.invalidEmail',
  PUBLIC_KEY_NOT_BASE64: 'error.publicKeyBase64',
  PUBLIC_KEY_LENGTH: 'error.publicKeyLength',
  PUBLIC_KEY_NOT_A_POINT: 'error.publicKeyPoint',
  PUBLIC_KEY_TAKEN: 'error.publicKeyTaken',
  TWO_FACTOR_REQUIRED: 'error.twoFactorRequired',
  CSRF_TOKEN_INVALID: 'error.csrf',
  SUBACCOUNT_NAME_TAKEN: 'error.subaccountTaken',
  SUBACCOUNT_NAME_INVALID: 'error.subaccountName',
  SUBACCOUNT_NOT_FOUND: 'error.subaccountNotFound',
  DEPOSIT_TOO_LARGE: 'error.quantityTooLarge',
  BALANCE_LIMIT: 'error.balanceLimit',
  QUANTITY_DECIMALS: 'error.quantityDecimals',
  QUANTITY_NOT_POSITIVE: 'error.quantityPositive',
  QUANTITY_NOT_DECIMAL: 'error.quantityInvalid',
  QUANTITY_TOO_LARGE: 'error.quantityInvalid',
  PASSWORD_WRONG: 'error.wrongPassword',
  PASSWORD_REQUIRED: 'error.passwordRequired',
  ADDRESS_TAKEN: 'error.addressTaken',
  ADDRESS_INVALID: 'error.addressInvalid',
  TWO_FACTOR_CODE_REUSED: 'error.twoFactorReused',
};

const BY_CODE: Partial<Record<string, MessageKey>> = {
  INVALID_TWO_FACTOR_CODE: 'error.twoFactorCode',
  INVALID_ASSET: 'error.assetInvalid',
  WITHDRAWAL_ADDRESS_NOT_ALLOWED: 'error.withdrawalAddressNotAllowed',
  NETWORK_ERROR: 'error.network',
  SERVER_ERROR: 'error.server',
};

export function describeError(error: unknown, language: Language, t: Translate): string {
  const message = error instanceof Error ? error.message : String(error);
  if (language === 'en' || !(error instanceof ApiError)) return message;
  if (error.code === 'TOO_MANY_REQUESTS') {
    return t('error.tooManyAttempts', { seconds: String(error.retryAfterSeconds ?? '?') });
  }
  const key = (error.detail === undefined ? undefined : BY_DETAIL[error.detail]) ?? BY_CODE[error.code];
  return key ? t(key) : message;
}
