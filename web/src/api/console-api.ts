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
  source: 'server' | 'browser' | 'user';
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  lastUsedIp: string | null;
}

export interface AuditEvent {
  id: string;
  type: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, string | number | boolean | null>;
  createdAt: number;
}

export interface TwoFactorSetup {
  secret: string;
  otpauthUrl: string;
  qrCode: string;
}

export type LoginResult =
  { status: 'signed_in'; user: User; csrfToken: string } | { status: 'two_factor_required' };

export interface CreateKeyInput {
  name: string;
  subaccountId: string;
  readOnly: boolean;
  publicKey: string;
  publicKeySource: 'browser' | 'user';
  totpCode?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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

async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
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
  const data = (await response.json().catch(() => null)) as { code?: string; message?: string } | null;
  if (!response.ok) {
    const error = new ApiError(
      response.status,
      data?.code ?? 'HTTP_ERROR',
      data?.message ?? response.statusText,
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
  revokeKey: (id: string): Promise<ApiKey> => call('DELETE', `/keys/${encodeURIComponent(id)}`),
  listAuditEvents: (): Promise<AuditEvent[]> => call('GET', '/audit?limit=50'),
};
