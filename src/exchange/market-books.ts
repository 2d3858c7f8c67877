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
 */
import { sql, type Kysely } from 'kysely';

import { prepareQuery } from '../store/prepared-query.ts';
import type { Database } from '../store/schema.ts';
import { AsyncMutex } from './async-mutex.ts';
import { ensureCounters } from './id-counters.ts';
import type { ExchangeConfig } from './markets.ts';
import { addRestingOrder, createOrderBook, type OrderBook } from './order-book.ts';
import type { SelfTradePrevention, Side } from './order-types.ts';

export interface BookWriteContext {
  /** The transaction every write of this operation must use. */
  readonly trx: Kysely<Database>;
  readonly book: OrderBook;
  /** The market sequence this operation set (use as depth's lastUpdateId). */
  readonly sequence: number;
  /** Call right before changing the book: a failure after this point forces a rebuild. */
  touch(): void;
}

interface MarketState {
  book: OrderBook;
  /** The sequence the book reflects; null = unknown or stale (rebuild before use). */
  syncedSequence: number | null;
  readonly mutex: AsyncMutex;
}

interface OpenOrderRow {
  id: number;
  subaccount_id: string;
  side: string;
  price: string;
  quantity: string;
  remaining: string;
  created_seq: number;
  self_trade_prevention: string;
}

const MAX_ATTEMPTS = 3;

export class MarketBooks {
  private readonly states = new Map<string, MarketState>();
  private readonly bump;
  private readonly readSequence;
  private readonly loadOpenOrders;

  constructor(
    private readonly db: Kysely<Database>,
    config: ExchangeConfig,
  ) {
    for (const market of config.markets) {
      this.states.set(market.symbol, {
        book: createOrderBook(market.symbol),
        syncedSequence: null,
        mutex: new AsyncMutex(),
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
    this.loadOpenOrders = prepareQuery<OpenOrderRow, 'symbol'>((p) =>
      db
        .selectFrom('orders')
        .select([
          'id',
          'subaccount_id',
          'side',
          sql<string>`cast(price as text)`.as('price'),
          sql<string>`cast(quantity as text)`.as('quantity'),
          sql<string>`cast(remaining as text)`.as('remaining'),
          'created_seq',
          'self_trade_prevention',
        ])
        .where('symbol', '=', p('symbol'))
        .where(sql<boolean>`is_open = 1`),
    );
  }

  /** Creates the markets' sequence rows (idempotent; run once at start-up). */
  async initialize(): Promise<void> {
    await ensureCounters(
      this.db,
      [...this.states.keys()].map((symbol) => `market:${symbol}` as const),
    );
  }

  /**
   * Runs `work` as the market's only writer, in one transaction that starts by incrementing the market
   * sequence and has the book in step with the database before `work` sees it.
   */
  async write<T>(symbol: string, work: (context: BookWriteContext) => Promise<T>): Promise<T> {
    const state = this.requireState(symbol);
    return state.mutex.run(async () => {
      for (let attempt = 1; ; attempt += 1) {
        let sequence: number | null = null;
        let touched = false;
        try {
          const result = await this.db.transaction().execute(async (trx) => {
            sequence = Number((await this.bump.run(trx, { name: `market:${symbol}` })).rows[0]?.value);
            if (state.syncedSequence !== sequence - 1) await this.rebuild(trx, state, sequence - 1);
            return work({ trx, book: state.book, sequence, touch: () => (touched = true) });
          });
          state.syncedSequence = sequence;
          return result;
        } catch (error) {
          // Untouched book: the rollback restored the sequence it was synced at (possibly just rebuilt).
          state.syncedSequence = touched || sequence === null ? null : (sequence as number) - 1;
          if (attempt >= MAX_ATTEMPTS || !isRetryableTransactionError(error)) throw error;
        }
      }
    });
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

/** PostgreSQL deadlock / serialization failure, SQLite busy: safe to run the whole transaction again. */
export function isRetryableTransactionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001' || code === 'SQLITE_BUSY';
}
