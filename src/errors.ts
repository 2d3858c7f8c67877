/**
 * One error class and one table of codes, shared by the server, the CLI and the client.
 *
 * Codes are Backpack's `ApiErrorCode` strings (plus a few of Signet's own); the HTTP status and the meaning of
 * each code are decided here and nowhere else, and docs/ERRORS.md is generated from this table
 * (`npm run docs:errors`; a test fails when the two differ). Throw `AppError` for anything the caller did
 * wrong; any other error is an outage and is answered as an opaque 500 by the server.
 *
 * A `detail` names one precise situation inside a code ("the email is taken" inside CONFLICT). It is stable,
 * machine-readable and sent beside `code` and `message` by the console's API, so a user interface can translate
 * by it: English messages may be reworded at any time, details may not. The Backpack API keeps Backpack's exact
 * `{code, message}`.
 */

export const ERRORS = {
  INVALID_CLIENT_REQUEST: { status: 400, meaning: 'The request is malformed: headers, parameters or body.' },
  INVALID_ORDER: { status: 400, meaning: 'The order is not valid for this market (type, flags, notional).' },
  INVALID_PRICE: { status: 400, meaning: 'The price is off the tick size or outside the market bounds.' },
  INVALID_QUANTITY: {
    status: 400,
    meaning: 'The quantity is malformed, off the step size or out of bounds.',
  },
  INVALID_MARKET: { status: 400, meaning: 'The market does not accept this request.' },
  INVALID_SYMBOL: { status: 400, meaning: 'No market has this symbol.' },
  INVALID_ASSET: { status: 400, meaning: 'No asset has this symbol.' },
  INVALID_RANGE: { status: 400, meaning: 'A time range or paging parameter is out of bounds.' },
  INVALID_TWO_FACTOR_CODE: { status: 400, meaning: 'The two-factor (TOTP) code is wrong or already used.' },
  INSUFFICIENT_FUNDS: { status: 400, meaning: 'The available balance does not cover the request.' },
  UNAUTHORIZED: {
    status: 401,
    meaning: 'Not authenticated: unknown or revoked key, timestamp outside the window, no session.',
  },
  INVALID_SIGNATURE: {
    status: 401,
    meaning: 'The signature does not verify; the message shows the string the server signed.',
  },
  FORBIDDEN: {
    status: 403,
    meaning: 'Authenticated, but not allowed: key permission, subaccount binding, CSRF, origin.',
  },
  WITHDRAWAL_ADDRESS_NOT_ALLOWED: {
    status: 403,
    meaning:
      'Signet’s own: an API withdrawal to an address that is not in the address book, allowed for API use and past its cooling-off.',
  },
  RESOURCE_NOT_FOUND: { status: 404, meaning: 'No such order, key, subaccount or path.' },
  CONFLICT: {
    status: 409,
    meaning: 'The request collides with existing state (a name or key already taken).',
  },
  PAYLOAD_TOO_LARGE: { status: 413, meaning: 'The request body is larger than the server accepts.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The Content-Type is not accepted on this route.' },
  TOO_MANY_REQUESTS: { status: 429, meaning: 'Throttled; the Retry-After header says when to try again.' },
  SERVER_ERROR: {
    status: 500,
    meaning: 'An outage on the server; the message names the request id to report.',
  },
  NOT_IMPLEMENTED: { status: 501, meaning: 'A Backpack instruction or path this server does not serve.' },
  UPSTREAM_UNAVAILABLE: {
    status: 502,
    meaning: 'Signet’s own (gateway routes): the upstream could not be reached or broke the connection.',
  },
  MAINTENANCE: { status: 503, meaning: 'The server is not ready to serve requests.' },
  UPSTREAM_TIMEOUT: {
    status: 504,
    meaning: 'Signet’s own (gateway routes): the upstream did not answer within SIGNET_UPSTREAM_TIMEOUT.',
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Each code's HTTP status. */
export const ERROR_STATUS = Object.fromEntries(
  Object.entries(ERRORS).map(([code, { status }]) => [code, status]),
) as { readonly [C in ErrorCode]: (typeof ERRORS)[C]['status'] };

/** Precise situations a user interface tells apart, each with the code it is sent under. */
export const ERROR_DETAILS = {
  INVALID_CREDENTIALS: { code: 'UNAUTHORIZED', meaning: 'Console sign-in: wrong email or password.' },
  EMAIL_TAKEN: { code: 'CONFLICT', meaning: 'Sign-up: an account with this email exists.' },
  EMAIL_INVALID: { code: 'INVALID_CLIENT_REQUEST', meaning: 'Sign-up: the email address is not valid.' },
  PASSWORD_TOO_SHORT: { code: 'INVALID_CLIENT_REQUEST', meaning: 'The password is shorter than the policy.' },
  CSRF_TOKEN_INVALID: { code: 'FORBIDDEN', meaning: 'Console: the X-CSRF-Token header is missing or stale.' },
  TWO_FACTOR_REQUIRED: {
    code: 'FORBIDDEN',
    meaning: 'The operator requires two-factor authentication before API keys can be created.',
  },
  PUBLIC_KEY_NOT_BASE64: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The public key is not standard padded base64.',
  },
  PUBLIC_KEY_LENGTH: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The public key does not decode to 32 bytes.',
  },
  PUBLIC_KEY_NOT_A_POINT: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The public key is not a usable ED25519 point (invalid or of small order).',
  },
  PUBLIC_KEY_TAKEN: { code: 'CONFLICT', meaning: 'The public key is already registered as an API key.' },
  SUBACCOUNT_NAME_TAKEN: { code: 'CONFLICT', meaning: 'The user already has a subaccount with this name.' },
  SUBACCOUNT_NAME_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The subaccount name breaks the rules.',
  },
  SUBACCOUNT_LIMIT: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The user holds `max` subaccounts, the operator’s cap (SIGNET_MAX_SUBACCOUNTS_PER_USER).',
  },
  KEY_LIMIT: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The user holds `max` working API keys, the operator’s cap (SIGNET_MAX_KEYS_PER_USER).',
  },
  SUBACCOUNT_NOT_FOUND: {
    code: 'RESOURCE_NOT_FOUND',
    meaning: 'The subaccount does not exist or is not the caller’s.',
  },
  QUANTITY_NOT_DECIMAL: { code: 'INVALID_QUANTITY', meaning: 'The quantity is not a plain decimal string.' },
  QUANTITY_DECIMALS: { code: 'INVALID_QUANTITY', meaning: 'The quantity has more decimals than the asset.' },
  QUANTITY_NOT_POSITIVE: { code: 'INVALID_QUANTITY', meaning: 'The quantity is zero or negative.' },
  QUANTITY_TOO_LARGE: {
    code: 'INVALID_QUANTITY',
    meaning: 'The quantity is beyond any amount Signet holds.',
  },
  DEPOSIT_TOO_LARGE: {
    code: 'INVALID_QUANTITY',
    meaning: 'Sandbox funding: more than one deposit may credit.',
  },
  BALANCE_LIMIT: { code: 'INVALID_QUANTITY', meaning: 'Sandbox funding: the balance would pass its limit.' },
  TWO_FACTOR_CODE_REUSED: {
    code: 'INVALID_TWO_FACTOR_CODE',
    meaning: 'The two-factor code was already used; wait for the next one.',
  },
  PASSWORD_REQUIRED: { code: 'FORBIDDEN', meaning: 'A sensitive change needs the password (no 2FA on).' },
  PASSWORD_WRONG: { code: 'FORBIDDEN', meaning: 'The password given to confirm a change is not correct.' },
  ADDRESS_TAKEN: { code: 'CONFLICT', meaning: 'The address is already in the withdrawal address book.' },
  ADDRESS_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The address is not valid for the blockchain.',
  },
  SESSION_REQUIRED: { code: 'UNAUTHORIZED', meaning: 'Console: no session, or it ended; sign in again.' },
  KEY_NAME_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The key name is missing, longer than `max` characters, or holds unprintable characters.',
  },
  PUBLIC_KEY_REQUIRED: { code: 'INVALID_CLIENT_REQUEST', meaning: 'A console key needs a public key.' },
  PERMISSIONS_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning:
      'The permission list is empty, names an unknown permission, lacks read, or contradicts readOnly.',
  },
  ALLOWLIST_ENTRY_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'An IP allowlist `entry` is not an IPv4/IPv6 address or CIDR range.',
  },
  ALLOWLIST_HOST_BITS: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'An allowlist `entry` has host bits set; `suggestion` is the network it probably means.',
  },
  ALLOWLIST_ANY_ADDRESS: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'An allowlist `entry` allows every address and the request did not confirm it.',
  },
  ALLOWLIST_REQUIRED_FOR_WITHDRAW: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'A key that can withdraw needs an IP allowlist (SIGNET_WITHDRAW_REQUIRES_ALLOWLIST=on).',
  },
  ALLOWLIST_TOO_LONG: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The allowlist has more than `max` entries (`count`).',
  },
  EXPIRY_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The expiry is not "never" or an ISO-8601 time.',
  },
  EXPIRY_PAST: { code: 'INVALID_CLIENT_REQUEST', meaning: 'The expiry is not in the future.' },
  GRACE_INVALID: { code: 'INVALID_CLIENT_REQUEST', meaning: 'The rotation grace is not 0, 1h, 24h or 7d.' },
  KEY_NOT_FOUND: {
    code: 'RESOURCE_NOT_FOUND',
    meaning: 'No API key with this id or public key is the caller’s.',
  },
  KEY_NOT_ACTIVE: {
    code: 'CONFLICT',
    meaning: 'The key is revoked or expired, so it cannot be changed or rotated.',
  },
  KEY_CHANGED: { code: 'CONFLICT', meaning: 'The key was changed by another request meanwhile; reload.' },
  KEY_REPLACED: {
    code: 'CONFLICT',
    meaning: 'The key was replaced by rotation: it cannot be rotated again, nor its grace extended.',
  },
  KEY_RETIRED: {
    code: 'CONFLICT',
    meaning: 'The key was replaced by rotation and its grace has ended: retired for good, never changed.',
  },
  TWO_FACTOR_ALREADY_ON: { code: 'CONFLICT', meaning: 'Two-factor authentication is already on.' },
  TWO_FACTOR_NOT_ON: { code: 'CONFLICT', meaning: 'Two-factor authentication is not on.' },
  TWO_FACTOR_SETUP_FIRST: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'Enabling 2FA before starting its setup.',
  },
  ADDRESS_LABEL_INVALID: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The address label is empty, longer than `max`, or holds control characters.',
  },
  ADDRESS_BOOK_FULL: {
    code: 'INVALID_CLIENT_REQUEST',
    meaning: 'The address book holds `max` addresses already.',
  },
  ADDRESS_NOT_FOUND: { code: 'RESOURCE_NOT_FOUND', meaning: 'No such address in the caller’s address book.' },
  ADDRESS_NOTHING_PENDING: { code: 'CONFLICT', meaning: 'Cancel on an address with no pending change.' },
  API_WITHDRAWALS_PAUSED: {
    code: 'FORBIDDEN',
    meaning: 'API withdrawals are paused `until` a while after the owner turned 2FA off.',
  },
  SANDBOX_DEPOSITS_OFF: { code: 'FORBIDDEN', meaning: 'The operator turned sandbox deposits off.' },
  DATABASE_UNAVAILABLE: {
    code: 'MAINTENANCE',
    meaning:
      'The database cannot be reached or written right now (a lost connection, a failover, a locked file); nothing was done. Retry after `Retry-After` seconds.',
  },
  INSUFFICIENT_STORAGE: {
    code: 'MAINTENANCE',
    meaning: 'The server’s disk is full: nothing was stored; try again after Retry-After.',
  },
} as const satisfies Record<string, { code: ErrorCode; meaning: string }>;

export type ErrorDetail = keyof typeof ERROR_DETAILS;

/** The values a detail's translation may quote (an allowlist entry, a limit), named in its meaning above. */
export type ErrorParams = Readonly<Record<string, string | number>>;

/**
 * An error body: Backpack's `{code, message}`, plus (console API only) Signet's `detail` when there is one and
 * the `params` its translation quotes.
 */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  detail?: ErrorDetail;
  params?: ErrorParams;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: ErrorDetail | undefined;
  readonly params: ErrorParams | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { detail?: ErrorDetail; params?: ErrorParams } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.detail = options.detail;
    this.params = options.params;
  }

  /** The error for a detail, under the detail's own code. */
  static of(detail: ErrorDetail, message: string, params?: ErrorParams): AppError {
    return new AppError(ERROR_DETAILS[detail].code, message, { detail, params });
  }

  /** Backpack's body, exactly `{code, message}`. */
  toJSON(): ErrorBody {
    return { code: this.code, message: this.message };
  }

  /** The console API's body: Backpack's, plus the detail (and its params) when there is one. */
  toDetailedJSON(): ErrorBody {
    if (this.detail === undefined) return this.toJSON();
    return this.params === undefined
      ? { ...this.toJSON(), detail: this.detail }
      : { ...this.toJSON(), detail: this.detail, params: this.params };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** docs/ERRORS.md, generated from the tables above. */
export function formatErrorTable(): string {
  const codes = Object.entries(ERRORS).map(
    ([code, { status, meaning }]) => `| \`${code}\` | ${status} | ${meaning} |`,
  );
  const details = Object.entries(ERROR_DETAILS).map(
    ([detail, { code, meaning }]) => `| \`${detail}\` | \`${code}\` | ${meaning} |`,
  );
  return [
    '# Errors',
    '',
    '<!-- Generated from src/errors.ts by `npm run docs:errors`; edit the table there, not here. -->',
    '',
    'Every error is JSON in Backpack\'s format, `{"code": "...", "message": "..."}`, with the HTTP status below.',
    'Messages are English and may be reworded; codes and details are stable. The console API (`/console/api`)',
    'adds a `detail` field for the situations a user interface tells apart (and `params`, the values its',
    'translation quotes, named in back quotes below); the Backpack API sends `code` and `message` only.',
    '',
    '## Codes',
    '',
    '| code | HTTP status | meaning |',
    '| --- | --- | --- |',
    ...codes,
    '',
    '## Details',
    '',
    '| detail | sent with code | meaning |',
    '| --- | --- | --- |',
    ...details,
    '',
  ].join('\n');
}
