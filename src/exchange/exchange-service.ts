/**
 * The exchange as one object for the HTTP layer and the CLI: balances, orders and matching, history, public
 * market data, deposits and withdrawals, over one database and one market configuration.
 *
 * This module only wires the parts together (each lives in its own file); it holds the per-process state:
 * the in-memory books (MarketBooks), the compiled ledger statements and the id blocks. Several processes may
 * each hold an Exchange over the same PostgreSQL: the database stays the source of truth (see market-books.ts).
 * Every method that acts for a client takes the subaccount id from the authenticated key, never from input.
 */
import type { Kysely } from 'kysely';

import type { Database } from '../store/schema.ts';
import {
  depositTestFunds,
  getDepositAddress,
  listDeposits,
  type DepositTestFundsInput,
} from './capital/deposit-service.ts';
import { OrderedIds } from './persistence/ordered-ids.ts';
import { computeReferencePrices, type ReferencePrices } from './capital/reference-prices.ts';
import { getLedger, type Balance, type Ledger } from './persistence/ledger.ts';
import type { PageFilter } from './persistence/paging.ts';
import { auditLedger, type LedgerAudit } from './persistence/ledger-audit.ts';
import { requireMarket } from './model/client-input.ts';
import {
  getMarketDepth,
  getLastTradePrice,
  getTicker,
  listKlines,
  listPublicTrades,
  type DepthRecord,
  type KlineRecord,
  type PublicTradeRecord,
  type TickerRecord,
} from './persistence/market-data.ts';
import type { KlineInterval } from './model/kline-intervals.ts';
import {
  readAccountSettings,
  updateAccountSettings,
  validateAccountUpdate,
  type AccountSettings,
} from './persistence/account-settings.ts';
import type { CommitObserver } from './persistence/commit-observer.ts';
import { GroupWriter } from './persistence/group-writes.ts';
import { MarketBooks } from './persistence/market-books.ts';
import type { ExchangeConfig } from './model/markets.ts';
import {
  getOpenOrder,
  listFills,
  listOpenOrders,
  listOrderHistory,
  type FillFilter,
  type OrderHistoryFilter,
} from './persistence/order-queries.ts';
import type {
  DepositRecord,
  FillRecord,
  OrderRecord,
  WithdrawalRecord,
} from './persistence/order-records.ts';
import {
  OrderService,
  orderOrThrow,
  type BatchOrderResult,
  type CancelOrderInput,
  type OrderOutcome,
} from './order-service.ts';
import {
  listWithdrawals,
  requestWithdrawal,
  settleWithdrawals,
  type AuthorizeDestination,
  type WithdrawalFilter,
} from './capital/withdrawal-service.ts';

export interface ExchangeOptions {
  readonly db: Kysely<Database>;
  readonly config: ExchangeConfig;
  readonly now?: () => number;
}

/** Order ids one statement reserves for a group's transaction (groups hold up to 64 orders; most far fewer). */
const ORDER_ID_CHUNK = 16;
/** Trade ids one statement reserves for a group's transaction. */
const TRADE_ID_CHUNK = 64;

export class Exchange {
  readonly config: ExchangeConfig;
  readonly now: () => number;
  // The database, the ledger and the books are the exchange's own: callers use the methods below, so every
  // change to money or orders goes through the one path that keeps the books, the ledger and the events in step.
  private readonly db: Kysely<Database>;
  private readonly ledger: Ledger;
  private readonly books: MarketBooks;
  private readonly orders: OrderService;

  private constructor(options: ExchangeOptions) {
    this.db = options.db;
    this.config = options.config;
    this.now = options.now ?? Date.now;
    this.ledger = getLedger(options.db);
    this.books = new MarketBooks(options.db, options.config, new GroupWriter(options.db, this.ledger));
    this.orders = new OrderService({
      db: options.db,
      config: options.config,
      books: this.books,
      // Per transaction, one statement reserves ids for a whole group (ordered-ids.ts).
      orderIds: new OrderedIds(options.db, 'order', ORDER_ID_CHUNK),
      tradeIds: new OrderedIds(options.db, 'trade', TRADE_ID_CHUNK),
      now: this.now,
    });
  }

  /** Creates the exchange and its markets' sequence rows (idempotent). */
  static async create(options: ExchangeOptions): Promise<Exchange> {
    const exchange = new Exchange(options);
    await exchange.books.initialize();
    return exchange;
  }

  // --- balances and capital ---

  readBalances(subaccountId: string): Promise<Map<string, Balance>> {
    return this.ledger.readBalances(subaccountId);
  }

  /** One asset's balance of `subaccountId` (zeros when it has none). */
  readBalance(subaccountId: string, asset: string): Promise<Balance> {
    return this.ledger.readBalance(this.db, subaccountId, asset);
  }

  // --- account settings (Backpack's switches; spot only, so they change nothing else) ---

  readAccountSettings(subaccountId: string): Promise<AccountSettings> {
    return readAccountSettings(this.db, subaccountId);
  }

  /** Validates `payload` (validateAccountUpdate) and stores it; returns the settings now in force. */
  updateAccountSettings(subaccountId: string, payload: unknown): Promise<AccountSettings> {
    return updateAccountSettings(this.db, subaccountId, validateAccountUpdate(payload), this.now());
  }

  // --- events ---

  /**
   * Tells `observer` about every group commit of every market, inside the transaction and once it committed (see
   * persistence/commit-observer.ts). Returns the function that stops it.
   */
  observeCommits(observer: CommitObserver): () => void {
    return this.books.observe(observer);
  }

  depositTestFunds(input: DepositTestFundsInput): Promise<DepositRecord> {
    return depositTestFunds(this.db, this.config, { now: this.now(), ...input });
  }

  listDeposits(subaccountId: string, filter: PageFilter): Promise<DepositRecord[]> {
    return listDeposits(this.db, subaccountId, filter);
  }

  getDepositAddress(subaccountId: string, blockchain: unknown): string {
    return getDepositAddress(this.config, subaccountId, blockchain);
  }

  requestWithdrawal(
    subaccountId: string,
    payload: unknown,
    options: { authorize?: AuthorizeDestination } = {},
  ): Promise<WithdrawalRecord> {
    return requestWithdrawal(this.db, this.config, { subaccountId, payload, now: this.now(), ...options });
  }

  listWithdrawals(subaccountId: string, filter: WithdrawalFilter): Promise<WithdrawalRecord[]> {
    return listWithdrawals(this.db, subaccountId, filter);
  }

  /** Confirms pending withdrawals; returns how many. */
  settleWithdrawals(): Promise<number> {
    return settleWithdrawals(this.db, this.now());
  }

  /** Runs settleWithdrawals() every `intervalMs` until the returned function is called. */
  startWithdrawalSettlement(options: { intervalMs: number; onError: (error: unknown) => void }): () => void {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      this.settleWithdrawals()
        .catch(options.onError)
        .finally(() => (running = false));
    }, options.intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  // --- orders ---

  /** Places one order; a refusal (validation, funds, postOnly) is an outcome value, never thrown. */
  submitOrder(subaccountId: string, payload: unknown): Promise<OrderOutcome> {
    return this.orders.placeOrder(subaccountId, payload);
  }

  /** submitOrder() for callers that want the order or Backpack's error thrown (CLI, tests). */
  async placeOrder(subaccountId: string, payload: unknown): Promise<OrderRecord> {
    return orderOrThrow(await this.orders.placeOrder(subaccountId, payload));
  }

  placeOrders(subaccountId: string, payloads: readonly unknown[]): Promise<BatchOrderResult[]> {
    return this.orders.placeOrders(subaccountId, payloads);
  }

  cancelOrder(subaccountId: string, input: CancelOrderInput): Promise<OrderRecord> {
    return this.orders.cancelOrder(subaccountId, input);
  }

  cancelAllOrders(subaccountId: string, symbol: unknown): Promise<OrderRecord[]> {
    return this.orders.cancelAllOrders(subaccountId, symbol);
  }

  getOpenOrder(
    subaccountId: string,
    input: { symbol: unknown; orderId?: unknown; clientId?: unknown },
  ): Promise<OrderRecord> {
    return getOpenOrder(this.db, this.config, subaccountId, input);
  }

  listOpenOrders(subaccountId: string, symbol?: unknown): Promise<OrderRecord[]> {
    return listOpenOrders(this.db, this.config, subaccountId, symbol);
  }

  listOrderHistory(subaccountId: string, filter: OrderHistoryFilter): Promise<OrderRecord[]> {
    return listOrderHistory(this.db, this.config, subaccountId, filter);
  }

  listFills(subaccountId: string, filter: FillFilter): Promise<FillRecord[]> {
    return listFills(this.db, this.config, subaccountId, filter);
  }

  // --- public market data ---

  /** Rolling statistics over `windowMs` (24 h by default; REST `interval=1w` asks for 7 days). */
  getTicker(symbol: unknown, windowMs?: number): Promise<TickerRecord> {
    return getTicker(this.db, requireMarket(this.config, symbol), this.now(), windowMs);
  }

  /** Every asset's reference (index) price in USDC units (capital/reference-prices.ts). */
  async getReferencePrices(): Promise<ReferencePrices> {
    const last = await Promise.all(
      this.config.markets.map(
        async (market) => [market.symbol, await getLastTradePrice(this.db, market)] as const,
      ),
    );
    return computeReferencePrices(this.config, new Map(last));
  }

  listTickers(windowMs?: number): Promise<TickerRecord[]> {
    return Promise.all(this.config.markets.map((market) => getTicker(this.db, market, this.now(), windowMs)));
  }

  getDepth(symbol: unknown, limit: number): Promise<DepthRecord> {
    return getMarketDepth(this.books, requireMarket(this.config, symbol), limit);
  }

  listTrades(symbol: unknown, page: { limit: number; offset: number }): Promise<PublicTradeRecord[]> {
    return listPublicTrades(this.db, requireMarket(this.config, symbol), page);
  }

  listKlines(
    symbol: unknown,
    input: { interval: KlineInterval; startMs: number; endMs: number },
  ): Promise<KlineRecord[]> {
    return listKlines(this.db, requireMarket(this.config, symbol), input);
  }

  /** Checks the ledger invariants (see ledger-audit.ts). */
  audit(): Promise<LedgerAudit> {
    return auditLedger(this.db, this.config);
  }
}

export function createExchange(options: ExchangeOptions): Promise<Exchange> {
  return Exchange.create(options);
}
