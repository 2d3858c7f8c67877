/**
 * Stream events between processes that share one SQLite file (`signet serve --workers N`, or several `signet
 * serve` on one file), without any server: the file itself is the channel.
 *
 * - Write: inside the group commit's transaction (CommitObserver.beforeCommit) the event is inserted into
 *   `stream_outbox`, so it exists exactly when the commit does, and outbox ids follow commit order (SQLite has one
 *   writer at a time). The insert is skipped when no other node is live (stream-nodes.ts, read in the same
 *   transaction, so a node that starts later still gets every event past its starting point): a lone process
 *   pays one indexed read per commit, not an insert of the event's JSON.
 * - Read: every `pollMs` a node asks `PRAGMA data_version`, which changes only when ANOTHER connection committed
 *   (a few microseconds, nothing read from the file), and only then reads the rows past its cursor written by
 *   other nodes, and passes them to the sequencer (event-sequencer.ts), which restores per-market order with this
 *   node's own events and drops duplicates. The reads run outside transactions (the row reads on the file's
 *   read-only connection, prepared-query.ts), so they see committed rows only, never the middle of an order's
 *   transaction; the timers are unref'd and stop on close().
 * - Prune: rows older than `keepMs` are deleted every few seconds by every node (idempotent; ids are found along
 *   the primary key, so the delete is a range and never scans the live part of the table).
 * A node that misses an event (it stalled for longer than `keepMs`) sees a sequence gap: clients resync from REST.
 * Threat: the outbox holds order events of every subaccount; it is inside the database's trust boundary, like the
 * orders table it mirrors, and is kept a minute only.
 */
import { randomUUID } from 'node:crypto';

import { CompiledQuery, type Kysely } from 'kysely';

import { prepareQuery, type QueryExecutor } from '../store/prepared-query.ts';
import type { Database } from '../store/schema.ts';
import type { DatabasePath } from './event-bus.ts';
import type { MarketEvent } from './market-events.ts';
import { StreamNodes } from './stream-nodes.ts';

const BATCH = 500;

export interface SqliteOutboxOptions {
  db: Kysely<Database>;
  receive: (event: MarketEvent) => void;
  onError: (error: unknown) => void;
  node?: string;
  pollMs?: number;
  keepMs?: number;
  now?: () => number;
}

export class SqliteOutboxBus implements DatabasePath {
  readonly node: string;
  private nodes: StreamNodes | null = null;
  private cursor = 0;
  private dataVersion: number | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private polling = false;
  private lastPrune = 0;
  private closed = false;
  private readonly db: Kysely<Database>;
  private readonly receiveEvent: (event: MarketEvent) => void;
  private readonly onError: (error: unknown) => void;
  private readonly now: () => number;
  private readonly keepMs: number;
  private readonly insert;
  private readonly readAfter;

  private constructor(options: SqliteOutboxOptions) {
    this.db = options.db;
    this.node = options.node ?? randomUUID();
    this.receiveEvent = options.receive;
    this.onError = options.onError;
    this.now = options.now ?? Date.now;
    this.keepMs = options.keepMs ?? 60_000;
    const db = options.db;
    this.insert = prepareQuery<never, 'node' | 'symbol' | 'sequence' | 'payload' | 'createdAt'>((p) =>
      db.insertInto('stream_outbox').values({
        node: p('node'),
        symbol: p('symbol'),
        sequence: p('sequence'),
        payload: p('payload'),
        created_at: p('createdAt'),
      }),
    );
    this.readAfter = prepareQuery<{ id: number; payload: string }, 'cursor' | 'node' | 'limit'>((p) =>
      db
        .selectFrom('stream_outbox')
        .select(['id', 'payload'])
        .where('id', '>', p('cursor'))
        .where('node', '<>', p('node'))
        .orderBy('id')
        .limit(p('limit')),
    );
  }

  /**
   * Registers the node and places the cursor at the end of the outbox; call it BEFORE reading the market
   * sequences the sequencer starts from (an event committed in between is then both read and dropped as old,
   * never missed).
   */
  static async open(options: SqliteOutboxOptions & { pollMs?: number }): Promise<SqliteOutboxBus> {
    const bus = new SqliteOutboxBus(options);
    bus.nodes = await StreamNodes.open(options.db, bus.node, {
      onError: options.onError,
      ...(options.now ? { now: options.now } : {}),
    });
    const last = await options.db
      .selectFrom('stream_outbox')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirst();
    bus.cursor = Number(last?.id ?? 0);
    bus.dataVersion = await bus.readDataVersion();
    bus.pollTimer = setInterval(() => void bus.poll(), options.pollMs ?? 15);
    bus.pollTimer.unref();
    return bus;
  }

  publish(event: MarketEvent): void {
    this.receiveEvent(event);
  }

  /** Inside the commit's transaction: the event goes to the outbox if another node is there to read it. */
  async recordInCommit(trx: QueryExecutor, event: MarketEvent): Promise<void> {
    if (this.nodes === null || !(await this.nodes.othersLiveIn(trx))) return;
    await this.write(trx, event);
  }

  /** Outside any transaction (another path failed after the commit): to the other nodes, not to this one. */
  send(event: MarketEvent): void {
    if (this.closed) return;
    this.write(this.db, event).catch(this.onError);
  }

  /** Live nodes (this one included) as of the last heartbeat. */
  get liveNodes(): number {
    return this.nodes?.liveCount ?? 1;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = null;
    await this.nodes?.close();
  }

  private async write(executor: QueryExecutor, event: MarketEvent): Promise<void> {
    await this.insert.run(executor, {
      node: event.node,
      symbol: event.symbol,
      sequence: event.sequence,
      payload: JSON.stringify(event),
      createdAt: this.now(),
    });
  }

  private async readDataVersion(): Promise<number> {
    const { rows } = await this.db.executeQuery<{ data_version: number }>(
      CompiledQuery.raw('pragma data_version'),
    );
    return Number(rows[0]?.data_version ?? 0);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      const version = await this.readDataVersion();
      if (version !== this.dataVersion) {
        this.dataVersion = version;
        for (;;) {
          const { rows } = await this.readAfter.run(this.db, {
            cursor: this.cursor,
            node: this.node,
            limit: BATCH,
          });
          for (const row of rows) {
            this.cursor = Math.max(this.cursor, Number(row.id));
            if (this.closed) return;
            this.receiveEvent(JSON.parse(row.payload) as MarketEvent);
          }
          if (rows.length < BATCH) break;
        }
      }
      if (this.now() - this.lastPrune >= 5000) {
        this.lastPrune = this.now();
        await this.prune();
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.polling = false;
    }
  }

  private async prune(): Promise<void> {
    const cutoff = this.now() - this.keepMs;
    const oldest = await this.db
      .selectFrom('stream_outbox')
      .select(['id', 'created_at'])
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (oldest === undefined || Number(oldest.created_at) >= cutoff) return;
    // The first row young enough to keep, found along the primary key (ids grow with time).
    const keep = await this.db
      .selectFrom('stream_outbox')
      .select('id')
      .where('created_at', '>=', cutoff)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    let prune = this.db.deleteFrom('stream_outbox').where('created_at', '<', cutoff);
    if (keep !== undefined) prune = prune.where('id', '<', Number(keep.id));
    await prune.execute();
  }
}
