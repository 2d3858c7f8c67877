/**
 * The in-memory order books, one per market, kept in step with the database (the source of truth).
 *
 * Each market has a sequence row ('market:<SYMBOL>' in counters) that every order and cancel increments as the
 * FIRST statement of its transaction. That row is the cross-process writer lock (PostgreSQL row lock, SQLite
 * write lock), and its value says which state a book reflects: when the value read is not the one this book
 * was last synced at + 1, another process changed the market, so the book is rebuilt from the open orders
 * (inside the same transaction) before matching. Inside a process an AsyncMutex per market keeps one writer.
 *
 * Invariant: after a committed write, book == open orders at `syncedSequence`. After a failed one, the book
 * is kept only if the work never touched it (the rollback restored the sequence too); otherwise it is marked
 * stale and rebuilt by the next user. Deadlocks and serialization failures (PostgreSQL) are retried.
 *
 * Group commit: writes that arrive while a market's writer is busy (or in the same event-loop turn) are run
 * together in ONE transaction and resolved only after the commit. Committing is most of an order's database
 * time (SQLite writes its WAL pages, PostgreSQL flushes its WAL), so a batch of n orders costs one commit
 * instead of n. Each write still sees the book and the database exactly as the
 * previous write left them. A write refused before it touched anything (most refusals: validation, funds)
 * changed nothing and simply fails. A write that fails after touch() makes the group roll back and run again
 * with a savepoint around each write, so that write is undone alone (and the book rebuilt from the
 * transaction): one refused order never affects its neighbours, and the common case pays for no savepoints.
 * Every row a write changes (orders, balances, ledger entries, trades, fee credits) is collected per write in
 * GroupWrites and written for the whole group right before the commit, in a few multi-row statements; what the
 * next write must see lives in memory until then: the book, and the group's balances (GroupBalances, read before
 * the first write from the rows the pending writes said they will pay with, locked on PostgreSQL). In isolated
 * mode each write's rows are written inside its own savepoint instead, so that the database always holds what
 * the writes before it did (a failed write rebuilds the book from it).
 */
import { sql, type Kysely } from 'kysely';

import { prepareQuery, prepareRaw } from '../../store/prepared-query.ts';
import type { Database } from '../../store/schema.ts';
import { AsyncMutex } from './async-mutex.ts';
import { GroupBalances, type BalanceRowKey } from './group-balances.ts';
import { GroupWrites, type GroupWriter, type TradeRow } from './group-writes.ts';
import { ensureCounters } from './id-counters.ts';
import { balanceKey } from './ledger.ts';
import type { CommitObserver, GroupCommit, OrderChange } from './commit-observer.ts';
import type { ExchangeConfig } from '../model/markets.ts';
import { addRestingOrder, createOrderBook, type OrderBook } from '../engine/order-book.ts';
import type { SelfTradePrevention, Side } from '../model/order-types.ts';

export interface BookWriteContext {
  /** The transaction every write of this operation must use. */
  readonly trx: Kysely<Database>;
  readonly book: OrderBook;
  /** The market sequence this operation set (use as depth's lastUpdateId). */
  readonly sequence: number;
  /**
   * Call before the first change to the book or the database: a write that fails before it has changed
   * nothing; one that fails after it is rolled back alone (savepoint) and the book rebuilt.
   */
  touch(): void;
  /** Rows for the end of the group: written before the commit if this write succeeds, dropped if it fails. */
  readonly later: GroupWrites;
  /** A subaccount's available balance as the group and this write (`later`) leave it so far. */
  available(account: string, asset: string): Promise<bigint>;
  /** Writes the group's pending order rows now: call it before reading or updating `orders` rows directly. */
  writePendingOrders(): Promise<void>;
}

export interface WriteOptions {
  /** The balance rows the write will check (read together with the rest of its group's, before the first). */
  readonly balances?: readonly BalanceRowKey[];
}

interface PendingWrite {
  readonly work: (context: BookWriteContext) => Promise<unknown>;
  readonly balances: readonly BalanceRowKey[];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface MarketState {
  book: OrderBook;
  /** The sequence the book reflects; null = unknown or stale (rebuild before use). */
  syncedSequence: number | null;
  readonly mutex: AsyncMutex;
  /** Writes waiting for the next group commit. */
  readonly pending: PendingWrite[];
  drainScheduled: boolean;
}

type ItemOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** What rebuilding a book reads of each open order (amounts as text, so they become bigints exactly). */
const OPEN_ORDER_COLUMNS = [
  'id',
  'subaccount_id',
  'side',
  sql<string>`cast(price as text)`.as('price'),
  sql<string>`cast(quantity as text)`.as('quantity'),
  sql<string>`cast(remaining as text)`.as('remaining'),
  'created_seq',
  'self_trade_prevention',
  'client_id',
  'post_only',
] as const;

const MAX_ATTEMPTS = 3;
/** Upper bound on writes per transaction: keeps a batch's locks and latency short. */
const MAX_GROUP = 64;
const SAVEPOINT = prepareRaw('savepoint book_write');
const RELEASE = prepareRaw('release savepoint book_write');
const ROLLBACK_TO = prepareRaw('rollback to savepoint book_write');

export class MarketBooks {
  private readonly states = new Map<string, MarketState>();
  private readonly bump;
  private readonly readSequence;
  private readonly loadOpenOrders;
  /** Told about every group commit (the event pipeline); see commit-observer.ts and observe(). */
  private readonly observers = new Set<CommitObserver>();

  constructor(
    private readonly db: Kysely<Database>,
    config: ExchangeConfig,
    private readonly groupWriter: GroupWriter,
  ) {
    for (const market of config.markets) {
      this.states.set(market.symbol, {
        book: createOrderBook(market.symbol),
        syncedSequence: null,
        mutex: new AsyncMutex(),
        pending: [],
        drainScheduled: false,
      });
    }
    this.bump = prepareQuery<{ value: number }, 'name'>((p) =>
      db
        .updateTable('counters')
        .set({ value: sql`value + 1` })
        .where('name', '=', p('name'))
        .returning('value'),
    );
    this.readSequence = prepareQuery<{ value: number }, 'name'>((p) =>
      db.selectFrom('counters').select('value').where('name', '=', p('name')),
    );
    this.loadOpenOrders = prepareQuery((p: (name: 'symbol') => never) =>
      db
        .selectFrom('orders')
        .select(OPEN_ORDER_COLUMNS)
        .where('symbol', '=', p('symbol'))
        .where(sql<boolean>`is_open = 1`),
    );
  }

  /** Adds an observer of every group commit; returns the function that removes it. */
  observe(observer: CommitObserver): () => void {
    this.observers.add(observer);
    return () => {
      this.observers.delete(observer);
    };
  }

  /** Creates the markets' sequence rows (idempotent; run once at start-up). */
  async initialize(): Promise<void> {
    await ensureCounters(
      this.db,
      [...this.states.keys()].map((symbol) => `market:${symbol}` as const),
    );
  }

  /**
   * Runs `work` as the market's only writer, in a transaction that starts by incrementing the market sequence
   * and has the book in step with the database before `work` sees it. Writes queued together share that
   * transaction (group commit); each resolves only once its transaction has committed.
   */
  write<T>(
    symbol: string,
    work: (context: BookWriteContext) => Promise<T>,
    options: WriteOptions = {},
  ): Promise<T> {
    const state = this.requireState(symbol);
    return new Promise<T>((resolve, reject) => {
      state.pending.push({
        work,
        balances: options.balances ?? [],
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.scheduleDrain(state);
    });
  }

  /** Drains on the next turn of the event loop, so requests that are ready in this turn join the same batch. */
  private scheduleDrain(state: MarketState): void {
    if (state.drainScheduled) return;
    state.drainScheduled = true;
    setImmediate(() => {
      void state.mutex.run(async () => {
        state.drainScheduled = false;
        const batch = state.pending.splice(0, MAX_GROUP);
        if (state.pending.length > 0) this.scheduleDrain(state);
        if (batch.length > 0) await this.commitGroup(state, batch);
      });
    });
  }

  private async commitGroup(state: MarketState, batch: PendingWrite[]): Promise<void> {
    const symbol = state.book.symbol;
    // Optimistic first: no savepoints. A write that fails before touch() changed nothing and simply fails; one
    // that fails after it forces the group to be rolled back and run again with a savepoint around each write.
    let isolate = false;
    for (let attempt = 1; ;) {
      let sequence: number | null = null;
      let touched = false;
      let afterCommit: (() => void) | undefined;
      try {
        const outcomes = await this.db.transaction().execute(async (trx) => {
          sequence = Number((await this.bump.run(trx, { name: `market:${symbol}` })).rows[0]?.value);
          if (state.syncedSequence !== sequence - 1) await this.rebuild(trx, state, sequence - 1);
          const group = new GroupWrites();
          const balances = new GroupBalances(this.groupWriter.ledger, trx, (key) => group.balances.get(key));
          await balances.load(batch.flatMap((item) => item.balances));
          const trades: TradeRow[] = [];
          const orders: OrderChange[] = [];
          const results: ItemOutcome[] = [];
          for (const [index, item] of batch.entries()) {
            let itemTouched = false;
            const later = new GroupWrites();
            const context: BookWriteContext = {
              trx,
              book: state.book,
              sequence,
              touch: () => {
                touched = true;
                itemTouched = true;
              },
              later,
              available: async (account, asset) =>
                (await balances.available(account, asset)) +
                (later.balances.get(balanceKey(account, asset))?.availableDelta ?? 0n),
              writePendingOrders: () => this.groupWriter.writeOrders(trx, group),
            };
            if (isolate) await SAVEPOINT.run(trx, {});
            try {
              const value = await item.work(context);
              if (isolate) {
                await this.groupWriter.write(trx, later, `${symbol}:${sequence}:${index}`);
                await RELEASE.run(trx, {});
              } else {
                group.absorb(later);
              }
              balances.apply(later.balances.values());
              trades.push(...later.trades);
              orders.push(...later.orderChanges);
              results.push({ ok: true, value });
            } catch (error) {
              if (isolate) {
                await ROLLBACK_TO.run(trx, {});
                await RELEASE.run(trx, {});
                balances.forget();
                // The book moved but the database did not: bring the book back to what this transaction holds.
                if (itemTouched) await this.rebuild(trx, state, sequence - 1);
              } else if (batch.length === 1) {
                throw error; // alone, the write's failure is the transaction's
              } else if (itemTouched) {
                throw new IsolateWrites(); // in a group, only a savepoint can undo it
              }
              results.push({ ok: false, error });
            }
          }
          if (!group.isEmpty) await this.groupWriter.write(trx, group, `${symbol}:${sequence}`);
          afterCommit = await this.tellObservers(trx, {
            symbol,
            sequence,
            book: state.book,
            trades,
            orders,
          });
          return results;
        });
        state.syncedSequence = sequence;
        afterCommit?.();
        outcomes.forEach((outcome, i) => {
          const item = batch[i] as PendingWrite;
          if (outcome.ok) item.resolve(outcome.value);
          else item.reject(outcome.error);
        });
        return;
      } catch (error) {
        // Untouched book: the rollback restored the sequence it was synced at (possibly just rebuilt).
        state.syncedSequence = touched || sequence === null ? null : (sequence as number) - 1;
        if (error instanceof IsolateWrites) {
          isolate = true;
          continue;
        }
        if (attempt >= MAX_ATTEMPTS || !isRetryableTransactionError(error)) {
          for (const item of batch) item.reject(error);
          return;
        }
        attempt += 1;
      }
    }
  }

  /** Runs every observer inside the transaction; returns what to run once it has committed. */
  private async tellObservers(trx: Kysely<Database>, commit: GroupCommit): Promise<(() => void) | undefined> {
    if (this.observers.size === 0) return undefined;
    const after: (() => void)[] = [];
    for (const observer of this.observers) {
      const then = await observer.beforeCommit(trx, commit);
      if (then !== undefined) after.push(then);
    }
    return () => {
      for (const then of after) then();
    };
  }

  /** Reads the book in step with the database (rebuilt first when another process changed the market). */
  async read<T>(symbol: string, look: (book: OrderBook, sequence: number) => T): Promise<T> {
    const state = this.requireState(symbol);
    return state.mutex.run(async () => {
      // Sequence first, then orders: the book may be newer than the sequence it claims, never older.
      const sequence = Number(
        (await this.readSequence.run(this.db, { name: `market:${symbol}` })).rows[0]?.value ?? 0,
      );
      if (state.syncedSequence !== sequence) await this.rebuild(this.db, state, sequence);
      return look(state.book, sequence);
    });
  }

  /** Forgets every book (tests, or after an operator edited orders by hand). */
  invalidate(): void {
    for (const state of this.states.values()) state.syncedSequence = null;
  }

  private async rebuild(executor: Kysely<Database>, state: MarketState, sequence: number): Promise<void> {
    const symbol = state.book.symbol;
    const { rows } = await this.loadOpenOrders.run(executor, { symbol });
    const book = createOrderBook(symbol);
    for (const row of rows) {
      addRestingOrder(book, {
        id: String(row.id),
        accountId: row.subaccount_id,
        side: row.side as Side,
        price: BigInt(row.price),
        quantity: BigInt(row.quantity),
        remaining: BigInt(row.remaining),
        createdSeq: Number(row.created_seq),
        selfTradePrevention: row.self_trade_prevention as SelfTradePrevention,
        clientId: row.client_id === null ? null : Number(row.client_id),
        postOnly: Number(row.post_only) === 1,
      });
    }
    state.book = book;
    state.syncedSequence = sequence;
  }

  private requireState(symbol: string): MarketState {
    const state = this.states.get(symbol);
    if (state === undefined) throw new Error(`No book for market ${symbol}`);
    return state;
  }
}

/** A write of a group failed after changing something: run the group again with a savepoint per write. */
class IsolateWrites extends Error {}

/**
 * PostgreSQL deadlock / serialization failure: safe to run the whole transaction again. Not SQLite's busy: its
 * transactions start with the write lock (`begin immediate`, store/create-database.ts) after waiting the whole
 * busy timeout for it, so SQLITE_BUSY means the file stays locked; it is answered 503 at once rather than after
 * two more waits (store/database-outage.ts).
 */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}
