/**
 * The exchange's published surface: what the server, the CLI, the console and the event pipeline may use. Anything
 * not exported here is the exchange's own (lint refuses a deep import from outside src/exchange/, see
 * eslint.config.js). The Exchange object is the one road to money and orders; the rest is configuration, pure
 * value types and rules callers need to read input and format output.
 */
export { createExchange, type Exchange, type ExchangeOptions } from './exchange-service.ts';
export {
  MAX_BATCH_ORDERS,
  orderOrThrow,
  type BatchOrderResult,
  type CancelOrderInput,
  type OrderOutcome,
} from './order-service.ts';

// Configuration and pure model.
export { readMarketConfigFile } from './config/market-config.ts';
export type {
  AssetConfig,
  ExchangeConfig,
  MarketConfig,
  MarketLiquidity,
  TokenConfig,
} from './model/markets.ts';
export type { OrderStatus, OrderType, SelfTradePrevention, Side, TimeInForce } from './model/order-types.ts';
export { formatDecimal, parseDecimal } from './model/decimal.ts';
export { parseOrderId, parseQuantity, requireAsset, requireMarket } from './model/client-input.ts';
export { KLINE_INTERVALS, bucketEnd, bucketStart, type KlineInterval } from './model/kline-intervals.ts';
export type { BookSide } from './engine/order-book.ts';

// What the exchange reports.
export type { Balance } from './persistence/ledger.ts';
export type {
  DepositRecord,
  FillRecord,
  OrderRecord,
  OrderRow,
  WithdrawalRecord,
} from './persistence/order-records.ts';
export { ORDER_SELECT_COLUMNS, toOrderRecord } from './persistence/order-records.ts';
export type { SortDirection } from './persistence/order-queries.ts';
export type { DepthRecord, KlineRecord, PublicTradeRecord, TickerRecord } from './persistence/market-data.ts';
export type { AccountSettings } from './persistence/account-settings.ts';
export { auditLedger, type LedgerAudit } from './persistence/ledger-audit.ts';

// The commit subscription (Exchange.observeCommits) and what a commit carries.
export type { CommitObserver, GroupCommit, OrderChange, OrderState } from './persistence/commit-observer.ts';
export type { TradeRow } from './persistence/group-writes.ts';

// Capital: deposits, sandbox funding, the withdrawal address book.
export { MAX_DEPOSIT_UNITS, depositTestFunds } from './capital/deposit-service.ts';
export {
  DEFAULT_SANDBOX_FUNDING,
  assertSandboxDepositAllowed,
  capUnits,
  sandboxFundingFromEnv,
  type SandboxFundingPolicy,
} from './capital/sandbox-funding.ts';
export { AddressBook } from './capital/address-book-service.ts';
export {
  DEFAULT_WITHDRAWAL_ADDRESS_SETTINGS,
  entryStatus,
  parseDuration,
  pendingUntil,
  withdrawalAddressSettingsFromEnv,
  type AddressBookEntry,
  type WithdrawalAddressSettings,
} from './capital/withdrawal-addresses.ts';
export { getChainFamily, toDepositSource } from './capital/blockchain-addresses.ts';
export { VALUATION_ASSET, type ReferencePrices } from './capital/reference-prices.ts';
export {
  SEQUENCE_JUMP,
  latestSandboxReset,
  resetSandbox,
  type SandboxResetOptions,
  type SandboxResetResult,
} from './capital/sandbox-reset.ts';
