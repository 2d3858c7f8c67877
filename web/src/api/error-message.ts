/**
 * What the UI says about a failed request, and next to which field. In English the server's own message is shown
 * (it is the most precise: "Public key must decode to 32 bytes, got 31"); other languages get a translation chosen
 * by the error's stable `detail` or `code` (src/errors.ts, docs/ERRORS.md), quoting the error's `params` (an
 * allowlist entry, a limit), never by the English wording, so a reworded message cannot break a translation.
 * Anything without a translation shows the server's message. The field an error belongs to is chosen the same
 * way, by detail or code: a dialog never sorts errors by their English text.
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
  PUBLIC_KEY_REQUIRED: 'error.publicKeyRequired',
  TWO_FACTOR_REQUIRED: 'error.twoFactorRequired',
  CSRF_TOKEN_INVALID: 'error.csrf',
  SUBACCOUNT_NAME_TAKEN: 'error.subaccountTaken',
  SUBACCOUNT_NAME_INVALID: 'error.subaccountName',
  SUBACCOUNT_NOT_FOUND: 'error.subaccountNotFound',
  SUBACCOUNT_LIMIT: 'error.subaccountLimit',
  KEY_LIMIT: 'error.keyLimit',
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
  SESSION_REQUIRED: 'auth.sessionEnded',
  KEY_NAME_INVALID: 'error.keyName',
  PERMISSIONS_INVALID: 'error.permissions',
  ALLOWLIST_ENTRY_INVALID: 'error.allowlistEntry',
  ALLOWLIST_HOST_BITS: 'error.allowlistHostBits',
  ALLOWLIST_ANY_ADDRESS: 'error.allowlistAnyAddress',
  ALLOWLIST_TOO_LONG: 'error.allowlistTooLong',
  ALLOWLIST_REQUIRED_FOR_WITHDRAW: 'error.allowlistRequiredForWithdraw',
  EXPIRY_INVALID: 'error.expiryInvalid',
  EXPIRY_PAST: 'error.expiryPast',
  GRACE_INVALID: 'error.grace',
  KEY_NOT_FOUND: 'error.keyNotFound',
  KEY_NOT_ACTIVE: 'error.keyNotActive',
  KEY_CHANGED: 'error.keyChanged',
  KEY_REPLACED: 'error.keyReplaced',
  KEY_RETIRED: 'error.keyRetired',
  TWO_FACTOR_ALREADY_ON: 'error.twoFactorAlreadyOn',
  TWO_FACTOR_NOT_ON: 'error.twoFactorNotOn',
  TWO_FACTOR_SETUP_FIRST: 'error.twoFactorSetupFirst',
  ADDRESS_LABEL_INVALID: 'error.addressLabel',
  ADDRESS_BOOK_FULL: 'error.addressBookFull',
  ADDRESS_NOT_FOUND: 'error.addressNotFound',
  ADDRESS_NOTHING_PENDING: 'error.addressNothingPending',
  SANDBOX_DEPOSITS_OFF: 'error.sandboxOff',
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
  return key ? t(key, error.params) : message;
}

/** The form fields a server error can belong to; `form` = the alert at the top of the dialog. */
export type ErrorField =
  | 'name'
  | 'subaccount'
  | 'publicKey'
  | 'permissions'
  | 'allowedIps'
  | 'expiresAt'
  | 'totpCode'
  | 'password'
  | 'form';

const FIELD_BY_DETAIL: Partial<Record<string, ErrorField>> = {
  KEY_NAME_INVALID: 'name',
  SUBACCOUNT_NAME_TAKEN: 'subaccount',
  SUBACCOUNT_NAME_INVALID: 'subaccount',
  SUBACCOUNT_NOT_FOUND: 'subaccount',
  SUBACCOUNT_LIMIT: 'subaccount',
  PUBLIC_KEY_NOT_BASE64: 'publicKey',
  PUBLIC_KEY_LENGTH: 'publicKey',
  PUBLIC_KEY_NOT_A_POINT: 'publicKey',
  PUBLIC_KEY_TAKEN: 'publicKey',
  PUBLIC_KEY_REQUIRED: 'publicKey',
  PERMISSIONS_INVALID: 'permissions',
  ALLOWLIST_ENTRY_INVALID: 'allowedIps',
  ALLOWLIST_HOST_BITS: 'allowedIps',
  ALLOWLIST_ANY_ADDRESS: 'allowedIps',
  ALLOWLIST_TOO_LONG: 'allowedIps',
  ALLOWLIST_REQUIRED_FOR_WITHDRAW: 'allowedIps',
  EXPIRY_INVALID: 'expiresAt',
  EXPIRY_PAST: 'expiresAt',
  TWO_FACTOR_CODE_REUSED: 'totpCode',
  PASSWORD_WRONG: 'password',
  PASSWORD_REQUIRED: 'password',
};

/** Which field a failed request's error belongs to, by its detail or code. */
export function errorField(error: unknown): ErrorField {
  if (!(error instanceof ApiError)) return 'form';
  const byDetail = error.detail === undefined ? undefined : FIELD_BY_DETAIL[error.detail];
  if (byDetail) return byDetail;
  return error.code === 'INVALID_TWO_FACTOR_CODE' ? 'totpCode' : 'form';
}
