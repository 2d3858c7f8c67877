/**
 * One error class and one table of codes, shared by the server, the CLI and the client.
 *
 * Codes are Backpack's `ApiErrorCode` strings (plus a few of Signet's own for the console); the HTTP status of
 * each code is decided here and nowhere else. Throw `AppError` for anything the caller did wrong; any other
 * error is an outage and is answered as an opaque 500 by the server.
 */

export const ERROR_STATUS = {
  INVALID_CLIENT_REQUEST: 400,
  INVALID_ORDER: 400,
  INVALID_PRICE: 400,
  INVALID_QUANTITY: 400,
  INVALID_MARKET: 400,
  INVALID_SYMBOL: 400,
  INVALID_ASSET: 400,
  INVALID_RANGE: 400,
  INVALID_TWO_FACTOR_CODE: 400,
  INSUFFICIENT_FUNDS: 400,
  UNAUTHORIZED: 401,
  INVALID_SIGNATURE: 401,
  FORBIDDEN: 403,
  /** Signet's own: an API withdrawal to an address the owner has not allowed (see docs/PROTOCOL.md). */
  WITHDRAWAL_ADDRESS_NOT_ALLOWED: 403,
  RESOURCE_NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_REQUESTS: 429,
  SERVER_ERROR: 500,
  NOT_IMPLEMENTED: 501,
  MAINTENANCE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_STATUS, value);
}
