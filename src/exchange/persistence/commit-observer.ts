/**
 * The exchange's one event hook: MarketBooks calls an observer for every group commit of a market, inside the
 * transaction (after the group's rows are written, before COMMIT) and again once it has committed. The event
 * pipeline (src/events/) subscribes through Exchange.observeCommits; the exchange itself knows nothing about it.
 *
 * What a commit carries was recorded by the order path as it made it (order-service.ts): each order's changes
 * in the order they happened, each fill with the order's state right after it. Nothing is read back from the
 * database or reconstructed afterwards.
 *
 * Invariants: calls for one market come in commit order (the market's writer lock is held throughout), one per
 * committed market sequence, never for a transaction that rolled back (its `afterCommit` is simply never run).
 */
import type { Kysely } from 'kysely';

import type { Database } from '../../store/schema.ts';
import type { OrderRecord } from './order-records.ts';
import type { OrderBook } from '../engine/order-book.ts';
import type { Side } from '../model/order-types.ts';

/** One row of `trades`, with exact amounts. */
export interface TradeRow {
  readonly id: number;
  readonly symbol: string;
  readonly price: bigint;
  readonly quantity: bigint;
  readonly quote: bigint;
  readonly takerSide: Side;
  readonly makerOrderId: number;
  readonly takerOrderId: number;
  readonly makerAccountId: string;
  readonly takerAccountId: string;
  readonly makerClientId: number | null;
  readonly takerClientId: number | null;
  readonly makerFee: bigint;
  readonly takerFee: bigint;
  readonly createdAt: number;
}

/** An order as one of its changes leaves it (what an event reports; no creation time). */
export type OrderState = Omit<OrderRecord, 'createdAt'>;

/**
 * One change of one order, in the order the group made them: a placement (`accepted`, before any fill), each
 * fill of a maker or a taker with the order's state after it, a cancel (by its owner or by self-trade
 * prevention) and a taker's expiry.
 */
export type OrderChange =
  | { readonly kind: 'accepted'; readonly order: OrderState }
  | { readonly kind: 'fill'; readonly order: OrderState; readonly trade: TradeRow; readonly maker: boolean }
  | { readonly kind: 'cancelled'; readonly order: OrderState }
  | { readonly kind: 'expired'; readonly order: OrderState };

export interface GroupCommit {
  readonly symbol: string;
  /** The market sequence this commit set (depth's lastUpdateId). */
  readonly sequence: number;
  /** The book as the commit leaves it. Read it during beforeCommit only: it changes with the next write. */
  readonly book: OrderBook;
  /** The group's trades, in the order they happened. */
  readonly trades: readonly TradeRow[];
  /** Every order change of the group's successful writes, in the order they happened. */
  readonly orders: readonly OrderChange[];
}

export interface CommitObserver {
  /** Runs inside the transaction; returns what to run once it has committed (dropped on rollback). */
  beforeCommit(trx: Kysely<Database>, commit: GroupCommit): Promise<(() => void) | undefined>;
}
