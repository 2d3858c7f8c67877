/**
 * Kysely table types. Columns are dialect-neutral: text ids, integer millisecond timestamps, integer 0/1 flags,
 * so SQLite and PostgreSQL run the same queries. Amounts (exchange tables) are integers of the asset's smallest unit.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  email: string;
  password_hash: string;
  totp_secret: string | null;
  totp_enabled: number;
  /** The TOTP time step of the last accepted code (codes are single-use); null before the first. */
  totp_last_step: number | null;
  created_at: number;
  /** After 2FA was turned off: API withdrawals are refused until this time (epoch ms); null = never paused. */
  api_withdrawals_paused_until?: number | null;
}

/** A 2FA recovery code: its SHA-256 only; `used_at` once spent (each works once). */
export interface TotpRecoveryCodesTable {
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
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
  /** 1 exactly when `permissions` is read alone; kept in step with it (older readers of the table). */
  read_only: number;
  /** Bit mask: read = 1, trade = 2, withdraw = 4 (src/keys/permissions.ts). */
  permissions: number;
  /** The operator's custom permissions the key holds (gateway routes): sorted names, comma-separated; null = none. */
  custom_permissions: string | null;
  /** Comma-separated canonical IP addresses / CIDR ranges the key may be used from; null = any address. */
  allowed_ips: string | null;
  /** The first millisecond at which the key no longer works; null = never. */
  expires_at: number | null;
  /** Who made the key pair: 'server' (operator CLI), 'browser' (console) or 'user' (pasted public key). */
  key_source: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  last_used_ip: string | null;
  /** The id of the key that replaced this one by rotation (migration 0030); null = never rotated. */
  replaced_by: string | null;
}

/** Requests per key per minute by outcome (written in batches, kept 7 days). */
export interface ApiKeyUsageTable {
  key_id: string;
  /** Start of the minute, ms since the epoch. */
  minute: number;
  ok: number;
  invalid_key: number;
  expired_window: number;
  bad_signature: number;
  ip_not_allowed: number;
  permission: number;
  /** Requests that named a revoked, expired or rotated-out key (migration 0030; before it, all in invalid_key). */
  key_revoked: number;
  key_expired: number;
  key_retired: number;
}

/** A sample of recent refused requests per key, for the console (kept 7 days). */
export interface ApiKeyRefusalsTable {
  id: string;
  key_id: string;
  at: number;
  reason: string;
  ip: string;
  instruction: string | null;
  /** A permission refusal: the permission that was missing (null on older rows and other refusals). */
  permission: string | null;
  message: string;
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

/** Named counters: Backpack-visible ids ('order', 'trade', 'deposit', 'withdrawal') and 'market:<SYMBOL>' sequences. */
export interface CountersTable {
  name: string;
  value: number;
}

/**
 * Exchange amounts below are BIGINT integers of the asset's smallest unit. They are written as decimal strings and
 * read with `cast(column as text)`, never as JS numbers (typed `string` here for writes).
 */
export interface BalancesTable {
  subaccount_id: string;
  asset: string;
  available: string;
  locked: string;
  staked: string;
  updated_at: number;
}

export interface LedgerEntriesTable {
  /** '<reference>:<n>', e.g. 'order:42:0': a change can never be applied twice. */
  id: string;
  subaccount_id: string;
  asset: string;
  available_delta: string;
  locked_delta: string;
  reason: string;
  created_at: number;
}

export interface OrdersTable {
  id: number;
  subaccount_id: string;
  symbol: string;
  side: string;
  order_type: string;
  time_in_force: string;
  post_only: number;
  self_trade_prevention: string;
  client_id: number | null;
  price: string | null;
  quantity: string | null;
  quote_quantity: string | null;
  executed_quantity: string;
  executed_quote_quantity: string;
  remaining: string;
  status: string;
  expiry_reason: string | null;
  is_open: number;
  created_seq: number | null;
  created_at: number;
  updated_at: number;
}

export interface TradesTable {
  id: number;
  symbol: string;
  price: string;
  quantity: string;
  quote_quantity: string;
  taker_side: string;
  maker_order_id: number;
  taker_order_id: number;
  maker_subaccount_id: string;
  taker_subaccount_id: string;
  maker_client_id: number | null;
  taker_client_id: number | null;
  maker_fee: string;
  taker_fee: string;
  created_at: number;
}

export interface DepositsTable {
  id: number;
  subaccount_id: string;
  symbol: string;
  blockchain: string;
  quantity: string;
  status: string;
  to_address: string | null;
  from_address: string | null;
  transaction_hash: string | null;
  created_at: number;
}

export interface WithdrawalsTable {
  id: number;
  subaccount_id: string;
  symbol: string;
  blockchain: string;
  quantity: string;
  fee: string;
  to_address: string;
  client_id: string | null;
  status: string;
  transaction_hash: string | null;
  created_at: number;
  updated_at: number;
}

/** The withdrawal address book (migration 0006): the addresses an account's API keys may withdraw to. */
export interface WithdrawalAddressesTable {
  id: string;
  user_id: string;
  label: string;
  blockchain: string;
  /** As the owner typed it. */
  address: string;
  /** The compared form (lower case where the chain ignores case); unique per user and blockchain. */
  address_key: string;
  created_at: number;
  /** When the address takes effect (added + cooling-off). */
  active_at: number;
  /** When API withdrawals to it take effect; null while it requires 2FA. */
  api_allowed_at: number | null;
}

/** One row (id 1): grows whenever an api_keys row changes, by trigger (migration 0008); see keys/key-cache.ts. */
export interface KeyEpochTable {
  id: number;
  epoch: number;
}

/** Settings changed with PATCH /api/v1/account; a subaccount without a row has the defaults. */
export interface AccountSettingsTable {
  subaccount_id: string;
  auto_borrow_settlements: number;
  auto_lend: number;
  auto_realize_pnl: number;
  auto_repay_borrows: number;
  leverage_limit: string;
  updated_at: number;
}

/** Running stream nodes and their last heartbeat, ms (src/events/sqlite-outbox.ts). */
export interface StreamNodesTable {
  node: string;
  seen_at: number;
}

/** Market events for the other processes sharing a SQLite file; kept about a minute. */
export interface StreamOutboxTable {
  id: Generated<number>;
  node: string;
  symbol: string;
  sequence: number;
  /** The MarketEvent, JSON. */
  payload: string;
  created_at: number;
}

/** One row: the Redis channel of this database's stream events. */
export interface StreamBusTable {
  id: number;
  channel: string;
}

/** A job one process of the deployment runs at a time (0060): who holds it, until when (ms). */
export interface LeasesTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** Users the operator's own machinery owns, by role (0060): `liquidity` is the market makers' user. */
export interface OperatorAccountsTable {
  role: string;
  user_id: string;
  created_at: number;
}

/** One operator reset of the exchange (0061). */
export interface SandboxResetsTable {
  id: string;
  at: number;
  /** `cli` or `schedule`. */
  source: string;
  keep_users: number;
  keep_keys: number;
}

export interface Database {
  users: UsersTable;
  totp_recovery_codes: TotpRecoveryCodesTable;
  subaccounts: SubaccountsTable;
  api_keys: ApiKeysTable;
  api_key_usage: ApiKeyUsageTable;
  api_key_refusals: ApiKeyRefusalsTable;
  audit_events: AuditEventsTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  counters: CountersTable;
  balances: BalancesTable;
  ledger_entries: LedgerEntriesTable;
  orders: OrdersTable;
  trades: TradesTable;
  deposits: DepositsTable;
  withdrawals: WithdrawalsTable;
  withdrawal_addresses: WithdrawalAddressesTable;
  key_epoch: KeyEpochTable;
  account_settings: AccountSettingsTable;
  stream_nodes: StreamNodesTable;
  stream_outbox: StreamOutboxTable;
  stream_bus: StreamBusTable;
  leases: LeasesTable;
  operator_accounts: OperatorAccountsTable;
  sandbox_resets: SandboxResetsTable;
}
