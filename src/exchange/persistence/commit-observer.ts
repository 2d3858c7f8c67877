/**
 * The exchange's one event hook: MarketBooks calls an observer for every group commit of a market, inside the
 * transaction (after the group's rows are written, before COMMIT) and again once it has committed. Streams use it
 * to turn what a commit did into events; the exchange itself knows nothing about streams.
 *
 * Invariants: calls for one market come in commit order (the market's writer lock is held throughout), one per
 * committed market sequence, never for a transaction that rolled back (its `afterCommit` is simply never run).
 */
import type { Kysely } from 'kysely';

import type { Database } from '../../store/schema.ts';
import type { GroupWrites } from './group-writes.ts';
import type { OrderBook } from '../engine/order-book.ts';

export interface GroupCommit {
  readonly symbol: string;
  /** The market sequence this commit set (depth's lastUpdateId). */
  readonly sequence: number;
  /** The book as the commit leaves it. Read it during beforeCommit only: it changes with the next write. */
  readonly book: OrderBook;
  /** The group's trades, orders that never rested, makers cancelled by self-trade prevention. */
  readonly writes: GroupWrites;
  /** What each successful write of the group returned, in order (an order record, or a list of them). */
  readonly results: readonly unknown[];
}

export interface CommitObserver {
  /** Runs inside the transaction; returns what to run once it has committed (dropped on rollback). */
  beforeCommit(trx: Kysely<Database>, commit: GroupCommit): Promise<(() => void) | undefined>;
}
