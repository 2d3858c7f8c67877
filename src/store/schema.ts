/**
 * Kysely table types. Columns are dialect-neutral: text ids, integer millisecond timestamps, integer 0/1 flags,
 * so SQLite and PostgreSQL run the same queries. Amounts (exchange tables) are integers of the asset's smallest unit.
 */
export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: number;
  /** The TOTP time step of the last accepted code (codes are single-use); null before the first. */
  totp_last_step: number | null;
  created_at: number;
}

export interface SubaccountsTable {
  id: string;
  user_id: string;
  name: string;
  number: number;
  is_main: number;
  created_at: number;
}

export interface ApiKeysTable {
  id: string;
  /** The base64 ED25519 public key: what clients send as X-API-Key. Never a secret. */
  api_key: string;
  user_id: string;
  subaccount_id: string;
  name: string;
  read_only: number;
  /** Who made the key pair: 'server' (operator CLI), 'browser' (console) or 'user' (pasted public key). */
  key_source: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
}

export interface AuditEventsTable {
  id: string;
  user_id: string;
  type: string;
  ip: string | null;
  user_agent: string | null;
  /** JSON object with event details; never holds a secret. */
  details: string;
  created_at: number;
}

export interface SessionsTable {
  id: string;
  /** SHA-256 (hex) of the cookie token; the token itself is never stored. */
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  /** Absolute expiry; the idle limit is measured from last_seen_at. */
  expires_at: number;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  /** 'account:<normalized email>' or 'ip:<address>'. */
  key: string;
  failures: number;
  last_failure_at: number;
}

export interface Database {
  users: UsersTable;
  subaccounts: SubaccountsTable;
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
}
