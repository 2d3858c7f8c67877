/**
 * The SPA's only way to the server: `/console/api` with the session cookie (sent by the browser, unreadable
 * here: HttpOnly) and the CSRF token from the session on every state-changing request. Errors arrive as
 * `{code, message}` and are thrown as `ApiError`. Never sends or receives an API secret.
 *
 * What the server answers is typed by the server's own response schemas (src/server/routes/console/wire.ts,
 * imported as types only, so no server code reaches the bundle); this file restates none of them.
 */
import type {
  AddWithdrawalAddressInput,
  ApiKey,
  AuditEvent,
  Balance,
  CreateKeyInput,
  Deposit,
  ExchangeAsset,
  Fill,
  IdentityProof,
  Order,
  RotateKeyInput,
  SessionInfo,
  Side,
  Subaccount,
  TestDepositInput,
  TwoFactorSetup,
  UpdateKeyInput,
  User,
  Withdrawal,
  WithdrawalAddress,
  WithdrawalAddressApiAccessInput,
  WithdrawalAddressBook,
  WithdrawInput,
} from '../../../src/server/routes/console/wire.ts';

export type {
  AddWithdrawalAddressInput,
  ApiKey,
  AuditEvent,
  Balance,
  CreateKeyInput,
  Deposit,
  ExchangeAsset,
  Fill,
  IdentityProof,
  KeyStatus,
  Order,
  SessionInfo,
  RotateKeyInput,
  Side,
  Subaccount,
  TestDepositInput,
  TwoFactorSetup,
  UpdateKeyInput,
  User,
  Withdrawal,
  WithdrawalAddress,
  WithdrawalAddressApiAccessInput,
  WithdrawalAddressBook,
  WithdrawInput,
} from '../../../src/server/routes/console/wire.ts';

export type LoginResult =
  { status: 'signed_in'; user: User; csrfToken: string } | { status: 'two_factor_required' };

/** The built-in permissions; an operator may declare more for their own API (`SessionInfo.customPermissions`). */
export type Permission = 'read' | 'trade' | 'withdraw';

export const BUILT_IN_PERMISSIONS: readonly Permission[] = ['read', 'trade', 'withdraw'];

export function isBuiltInPermission(name: string): name is Permission {
  return (BUILT_IN_PERMISSIONS as readonly string[]).includes(name);
}

export type GracePeriod = '0' | '1h' | '24h' | '7d';

export interface UsageCounts {
  ok: number;
  /** Rows from before the server told dead keys apart: a revoked or expired key. */
  invalidKey: number;
  keyRevoked: number;
  keyExpired: number;
  keyRetired: number;
  expiredWindow: number;
  badSignature: number;
  ipNotAllowed: number;
  permission: number;
}

export type UsageRange = '1h' | '24h' | '7d';

export interface UsageRefusal {
  at: number;
  /** `key_expired`, `key_retired`, `key_revoked`, `bad_signature`, `expired_window`, `ip_not_allowed`, ... */
  reason: string;
  ip: string;
  instruction: string | null;
  /** For a `permission` refusal: the permission the instruction needs (a custom one on the operator's routes). */
  permission: string | null;
  /** Exactly what the caller was answered. */
  message: string;
}

export interface KeyUsage {
  keyId: string;
  range: UsageRange;
  bucketMs: number;
  from: number;
  to: number;
  buckets: Array<UsageCounts & { start: number }>;
  totals: UsageCounts;
  refusals: UsageRefusal[];
  /** The refusal list is a sample: at most `perReasonPerMinute` per reason and minute, the newest `limit`. */
  refusalSample: { perReasonPerMinute: number; limit: number };
}

/** The market page's order form (`POST /console/api/exchange/orders`); amounts are decimal strings. */
export interface PlaceOrderInput {
  subaccountId: string;
  symbol: string;
  side: Side;
  orderType: 'Limit' | 'Market';
  price?: string;
  quantity?: string;
  quoteQuantity?: string;
}

/** The code of a withdrawal refused because the address is not (yet) in the address book. Map by code only. */
export const WITHDRAWAL_ADDRESS_NOT_ALLOWED = 'WITHDRAWAL_ADDRESS_NOT_ALLOWED';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Signet's stable name for the precise situation (src/errors.ts ERROR_DETAILS), when the server sent one. */
    readonly detail?: string,
    /** From the Retry-After header of a 429. */
    readonly retryAfterSeconds?: number,
    /** The values the detail's translation quotes (an allowlist entry, a limit). */
    readonly params: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | undefined;
let onSessionEnded: (() => void) | undefined;

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when a private request answers 401: the session ended (expired, signed out elsewhere). */
export function setSessionEndedHandler(handler: (() => void) | undefined): void {
  onSessionEnded = handler;
}

async function call<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let response: Response;
  try {
    response = await fetch(`/console/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR', 'The server cannot be reached. Check your connection.');
  }
  if (response.status === 204) return undefined as T;
  const data = (await response.json().catch(() => null)) as {
    code?: string;
    message?: string;
    detail?: string;
    params?: Record<string, string | number>;
  } | null;
  if (!response.ok) {
    const retryAfter = Number(response.headers.get('Retry-After'));
    const error = new ApiError(
      response.status,
      data?.code ?? 'HTTP_ERROR',
      data?.message ?? response.statusText,
      data?.detail,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
      data?.params ?? {},
    );
    if (response.status === 401 && !path.startsWith('/auth/')) onSessionEnded?.();
    throw error;
  }
  return data as T;
}

export const consoleApi = {
  getSession: (): Promise<SessionInfo> => call('GET', '/session'),
  signUp: (email: string, password: string): Promise<{ user: User; csrfToken: string }> =>
    call('POST', '/auth/signup', { email, password }),
  logIn: (email: string, password: string, totpCode?: string): Promise<LoginResult> =>
    call('POST', '/auth/login', { email, password, ...(totpCode ? { totpCode } : {}) }),
  logOut: (): Promise<void> => call('POST', '/auth/logout'),
  setUpTwoFactor: (): Promise<TwoFactorSetup> => call('POST', '/2fa/setup'),
  enableTwoFactor: (code: string): Promise<{ user: User; recoveryCodes: string[] }> =>
    call('POST', '/2fa/enable', { code }),
  disableTwoFactor: (code: string): Promise<{ user: User; apiWithdrawalsPausedUntil?: number | null }> =>
    call('POST', '/2fa/disable', { code }),
  regenerateRecoveryCodes: (code: string): Promise<{ recoveryCodes: string[] }> =>
    call('POST', '/2fa/recovery-codes', { code }),
  listSubaccounts: (): Promise<Subaccount[]> => call('GET', '/subaccounts'),
  createSubaccount: (name: string): Promise<Subaccount> => call('POST', '/subaccounts', { name }),
  listKeys: (): Promise<ApiKey[]> => call('GET', '/keys'),
  createKey: (input: CreateKeyInput): Promise<ApiKey> => call('POST', '/keys', input),
  revokeKey: (id: string, totpCode?: string): Promise<ApiKey> =>
    call('DELETE', `/keys/${encodeURIComponent(id)}`, totpCode ? { totpCode } : undefined),
  updateKey: (id: string, input: UpdateKeyInput): Promise<ApiKey> =>
    call('PATCH', `/keys/${encodeURIComponent(id)}`, input),
  rotateKey: (
    id: string,
    input: RotateKeyInput & { grace: GracePeriod },
  ): Promise<{ old: ApiKey; key: ApiKey }> => call('POST', `/keys/${encodeURIComponent(id)}/rotate`, input),
  revokeAllKeys: (input: { subaccountId?: string } & IdentityProof): Promise<{ revoked: ApiKey[] }> =>
    call('POST', '/keys/revoke-all', input),
  keyUsage: (id: string, range: UsageRange): Promise<KeyUsage> =>
    call('GET', `/keys/${encodeURIComponent(id)}/usage?range=${range}`),
  listAuditEvents: (): Promise<AuditEvent[]> => call('GET', '/audit?limit=50'),
  listExchangeAssets: (): Promise<ExchangeAsset[]> => call('GET', '/exchange/assets'),
  listBalances: (subaccountId: string): Promise<Balance[]> =>
    call('GET', `/exchange/balances?${subaccountQuery(subaccountId)}`),
  listOpenOrders: (subaccountId: string): Promise<Order[]> =>
    call('GET', `/exchange/orders?${subaccountQuery(subaccountId)}`),
  /** The finished orders (Filled, Cancelled, Expired) of one market, newest first. */
  listOrderHistory: (subaccountId: string, symbol: string, limit = 50): Promise<Order[]> =>
    call(
      'GET',
      `/exchange/orders/history?${subaccountQuery(subaccountId)}&symbol=${encodeURIComponent(symbol)}&limit=${limit}`,
    ),
  listFills: (subaccountId: string): Promise<Fill[]> =>
    call('GET', `/exchange/fills?${subaccountQuery(subaccountId)}&limit=100`),
  listDeposits: (subaccountId: string): Promise<Deposit[]> =>
    call('GET', `/exchange/deposits?${subaccountQuery(subaccountId)}&limit=100`),
  listWithdrawals: (subaccountId: string): Promise<Withdrawal[]> =>
    call('GET', `/exchange/withdrawals?${subaccountQuery(subaccountId)}&limit=100`),
  depositTestFunds: (input: TestDepositInput): Promise<Deposit> => call('POST', '/exchange/deposits', input),
  placeOrder: (input: PlaceOrderInput): Promise<Order> => call('POST', '/exchange/orders', input),
  cancelOrder: (input: { subaccountId: string; symbol: string; orderId: string }): Promise<Order> =>
    call('DELETE', '/exchange/orders', input),
  withdraw: (input: WithdrawInput): Promise<Withdrawal> => call('POST', '/exchange/withdrawals', input),
  getWithdrawalAddresses: (): Promise<WithdrawalAddressBook> => call('GET', '/withdrawal-addresses'),
  addWithdrawalAddress: (input: AddWithdrawalAddressInput): Promise<WithdrawalAddress> =>
    call('POST', '/withdrawal-addresses', input),
  setWithdrawalAddressApiAccess: (
    id: string,
    input: WithdrawalAddressApiAccessInput,
  ): Promise<WithdrawalAddress> =>
    call('POST', `/withdrawal-addresses/${encodeURIComponent(id)}/api-access`, input),
  cancelWithdrawalAddress: (id: string): Promise<{ address: WithdrawalAddress | null }> =>
    call('POST', `/withdrawal-addresses/${encodeURIComponent(id)}/cancel`),
  /** An active address needs the proof; a pending one goes without. */
  removeWithdrawalAddress: (id: string, proof?: IdentityProof): Promise<void> =>
    call('DELETE', `/withdrawal-addresses/${encodeURIComponent(id)}`, proof),
};

function subaccountQuery(subaccountId: string): string {
  return `subaccountId=${encodeURIComponent(subaccountId)}`;
}
