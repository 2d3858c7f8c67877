/**
 * The SPA's only way to the server: `/console/api` with the session cookie (sent by the browser, unreadable
 * here: HttpOnly) and the CSRF token from the session on every state-changing request. Errors arrive as
 * `{code, message}` and are thrown as `ApiError`. Never sends or receives an API secret.
 */

export interface User {
  id: string;
  email: string;
  twoFactorEnabled: boolean;
  createdAt: number;
}

export interface SessionInfo {
  authenticated: boolean;
  user?: User;
  csrfToken?: string;
  requireTwoFactorForKeys: boolean;
  /** False when the operator turned sandbox deposits off (SIGNET_SANDBOX_DEPOSITS=off). */
  sandboxDeposits?: boolean;
  /** False when the operator runs Signet without its exchange (SIGNET_EXCHANGE=off): no exchange pages. */
  exchange?: boolean;
  /** The operator's own permissions for their API behind Signet's gateway (SIGNET_ROUTES). */
  customPermissions?: string[];
}

export interface Subaccount {
  id: string;
  name: string;
  number: number;
  isMain: boolean;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  name: string;
  apiKey: string;
  subaccountId: string;
  subaccountName: string;
  readOnly: boolean;
  /** Built-in permissions (read, trade, withdraw) first, then the operator's custom ones. */
  permissions: string[];
  /** Empty = any address. */
  allowedIps: string[];
  expiresAt: number | null;
  source: 'server' | 'browser' | 'user';
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
  /** At the server's clock: expiring = within 7 days; grace = replaced by rotation, works until `expiresAt`. */
  status: KeyStatus;
  /** The key that replaced this one by rotation. */
  replacedBy: string | null;
  /** The key this one replaced by rotation. */
  replaces: string | null;
}

export type KeyStatus = 'active' | 'expiring' | 'grace' | 'expired' | 'retired' | 'revoked';

export interface AuditEvent {
  id: string;
  type: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  createdAt: number;
}

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

export type LoginResult =
  { status: 'signed_in'; user: User; csrfToken: string } | { status: 'two_factor_required' };

/** The built-in permissions; an operator may declare more for their own API (`SessionInfo.customPermissions`). */
export type Permission = 'read' | 'trade' | 'withdraw';

export const BUILT_IN_PERMISSIONS: readonly Permission[] = ['read', 'trade', 'withdraw'];

export function isBuiltInPermission(name: string): name is Permission {
  return (BUILT_IN_PERMISSIONS as readonly string[]).includes(name);
}

export interface KeyControlsInput {
  permissions?: string[];
  allowedIps?: string[] | null;
  allowAnyAddress?: boolean;
  /** ISO-8601 with a zone, or null for never. */
  expiresAt?: string | null;
}

export interface CreateKeyInput extends KeyControlsInput {
  name: string;
  subaccountId: string;
  readOnly: boolean;
  publicKey: string;
  publicKeySource: 'browser' | 'user';
  totpCode?: string;
}

export interface UpdateKeyInput extends KeyControlsInput {
  name?: string;
  totpCode?: string;
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

/** Amounts are exact decimal strings from the server: shown as they are, never turned into numbers. */
export interface ExchangeAsset {
  symbol: string;
  displayName: string;
  decimals: number;
  /** The largest sandbox deposit accepted at once. */
  maxDeposit: string;
  /** Networks it can be funded on; the first is the default. */
  depositBlockchains: string[];
}

export interface Balance {
  symbol: string;
  available: string;
  locked: string;
  staked: string;
  total: string;
}

export type Side = 'Bid' | 'Ask';

export interface Order {
  id: string;
  clientId: number | null;
  symbol: string;
  side: Side;
  orderType: 'Limit' | 'Market';
  timeInForce: string;
  postOnly: boolean;
  price: string | null;
  quantity: string | null;
  quoteQuantity: string | null;
  executedQuantity: string;
  executedQuoteQuantity: string;
  status: string;
  createdAt: number;
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

export interface Fill {
  tradeId: number;
  orderId: string;
  symbol: string;
  side: Side;
  price: string;
  quantity: string;
  fee: string;
  feeSymbol: string;
  isMaker: boolean;
  timestamp: number;
}

export interface Deposit {
  id: number;
  symbol: string;
  quantity: string;
  blockchain: string;
  source: string;
  toAddress: string | null;
  fromAddress: string | null;
  transactionHash: string | null;
  status: string;
  createdAt: number;
}

export interface Withdrawal {
  id: number;
  symbol: string;
  quantity: string;
  fee: string;
  blockchain: string;
  toAddress: string;
  transactionHash: string | null;
  status: 'pending' | 'confirmed';
  createdAt: number;
}

export interface TestDepositInput {
  subaccountId: string;
  symbol: string;
  /** Decimal string, sent as a string. */
  quantity: string;
  blockchain?: string;
}

export interface WithdrawalAddress {
  id: string;
  label: string;
  blockchain: string;
  address: string;
  /** API keys may not withdraw to it while true. */
  twoFactorRequired: boolean;
  status: 'pending' | 'active';
  /** Server time (ms) when the pending change takes effect. */
  pendingUntil: number | null;
  apiWithdrawals: boolean;
  /** When the address itself takes effect. */
  activeAt: number;
  /** When API withdrawals to it take effect; null while it requires 2FA. */
  apiAllowedAt: number | null;
  createdAt: number;
}

export interface WithdrawalAddressBook {
  /** The server's clock when it answered: time left is counted from it, not from this device's clock. */
  now: number;
  mode: 'book' | 'any';
  coolingOffMs: number;
  blockchains: string[];
  addresses: WithdrawalAddress[];
}

/** The owner's proof for a loosening change: the 2FA code, or the password on an account without 2FA. */
export interface IdentityProof {
  totpCode?: string;
  password?: string;
}

export interface AddWithdrawalAddressInput extends IdentityProof {
  label: string;
  blockchain: string;
  address: string;
  twoFactorRequired: boolean;
}

export interface WithdrawInput extends IdentityProof {
  subaccountId: string;
  symbol: string;
  blockchain: string;
  address: string;
  quantity: string;
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
  enableTwoFactor: (code: string): Promise<{ user: User }> => call('POST', '/2fa/enable', { code }),
  disableTwoFactor: (code: string): Promise<{ user: User }> => call('POST', '/2fa/disable', { code }),
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
    input: { publicKey: string; publicKeySource: 'browser' | 'user'; grace: GracePeriod; totpCode?: string },
  ): Promise<{ old: ApiKey; key: ApiKey }> => call('POST', `/keys/${encodeURIComponent(id)}/rotate`, input),
  revokeAllKeys: (input: { subaccountId?: string; totpCode?: string }): Promise<{ revoked: ApiKey[] }> =>
    call('POST', '/keys/revoke-all', input),
  keyUsage: (id: string, range: UsageRange): Promise<KeyUsage> =>
    call('GET', `/keys/${encodeURIComponent(id)}/usage?range=${range}`),
  listAuditEvents: (): Promise<AuditEvent[]> => call('GET', '/audit?limit=50'),
  listExchangeAssets: (): Promise<ExchangeAsset[]> => call('GET', '/exchange/assets'),
  listBalances: (subaccountId: string): Promise<Balance[]> =>
    call('GET', `/exchange/balances?${subaccountQuery(subaccountId)}`),
  listOpenOrders: (subaccountId: string): Promise<Order[]> =>
    call('GET', `/exchange/orders?${subaccountQuery(subaccountId)}`),
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
    input: IdentityProof & { allowApi: boolean },
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
