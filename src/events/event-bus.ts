/**
 * Carries market events between the processes that serve one database, so a subscriber on any node sees orders
 * matched on every node.
 *
 * - LocalEventBus: one process (SQLite, or a single node): events go straight to this node's hub.
 * - SqliteOutboxBus (sqlite-outbox.ts): processes sharing one SQLite file, through an outbox table written in the
 *   commit's transaction.
 * - RedisEventBus (redis-event-bus.ts): Redis pub/sub when REDIS_URL is set, with one of the above underneath.
 * - PostgresEventBus: each node delivers its own events locally at once and sends them with `pg_notify` on one
 *   channel; every node LISTENs and passes the other nodes' events on. A NOTIFY payload is limited to 8000 bytes,
 *   so an event is split into numbered chunks (one session's notifications arrive in the order sent). Chunks
 *   waiting while the previous send is in flight go together in the next one (one statement, `unnest`): one
 *   round trip at a time however fast commits come, where a query per chunk fell behind under load (each waited
 *   for the one before; the backlog grew without bound and took PostgreSQL's time from the orders). The
 *   sequencer (event-sequencer.ts) restores per-market order across paths.
 * A lost connection is reopened (store/pg-listener.ts); what was missed shows as a sequence gap (clients resync
 * from REST).
 * Threat: the channel carries order events of every subaccount; it is inside the database's trust boundary.
 */
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import { PgListener } from '../store/pg-listener.ts';
import type { Database } from '../store/schema.ts';
import type { MarketEvent } from './market-events.ts';

export interface EventBus {
  readonly node: string;
  /** After the commit: delivers the event on this node and sends it to the others. */
  publish(event: MarketEvent): void;
  /** Inside the commit's transaction, for buses whose channel is the database itself (rolls back with it). */
  recordInCommit?(trx: Kysely<Database>, event: MarketEvent): Promise<void>;
  close(): Promise<void>;
}

/** The database path under a faster bus: sends to the other nodes only (not delivered on this one). */
export interface DatabasePath extends EventBus {
  send(event: MarketEvent): void;
  /** Live nodes, this one included, when the path knows them. */
  readonly liveNodes?: number;
}

export class LocalEventBus implements EventBus {
  readonly node = randomUUID();
  constructor(private readonly receive: (event: MarketEvent) => void) {}
  publish(event: MarketEvent): void {
    this.receive(event);
  }
  async close(): Promise<void> {}
}

export const EVENT_CHANNEL = 'signet_market_events';
/** Bytes of event JSON per notification (PostgreSQL's limit is 8000 including our header). */
const CHUNK = 7600;

export class PostgresEventBus implements DatabasePath {
  readonly node = randomUUID();
  private messageNumber = 0;
  /** Chunks not sent yet, in order; `sending` while a send is in flight. */
  private unsent: string[] = [];
  private sending = false;
  private readonly partial = new Map<string, { count: number; chunks: string[] }>();

  private readonly listener: PgListener;

  private constructor(
    url: string,
    private readonly receive: (event: MarketEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.listener = PgListener.start({
      url,
      channel: EVENT_CHANNEL,
      applicationName: 'signet-events',
      onNotification: (payload) => this.onNotification(payload),
      // Chunks of a message cut by the outage never complete.
      onLost: () => this.partial.clear(),
      onDown: onError,
    });
  }

  /**
   * One connection listens and sends (store/pg-listener.ts keeps it subscribed). Events sent while it is down
   * do not reach the other nodes: their sequencers see the gap and their clients resync from REST.
   */
  static async open(options: {
    url: string;
    receive: (event: MarketEvent) => void;
    onError: (error: unknown) => void;
  }): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(options.url, options.receive, options.onError);
    const listener = bus.listener;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), 10_000)),
    );
    const outcome = await Promise.race([listener.ready, gaveUp]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      await listener.close();
      throw new Error(`could not listen on ${EVENT_CHANNEL} within 10 s`);
    }
    return bus;
  }

  /** The backend pid of the bus's connection while it listens (tests end it); undefined while reconnecting. */
  get connectionPid(): number | undefined {
    return this.listener.pid;
  }

  publish(event: MarketEvent): void {
    this.receive(event);
    this.send(event);
  }

  send(event: MarketEvent): void {
    if (!this.listener.listening) return;
    const json = JSON.stringify(event);
    const count = Math.max(1, Math.ceil(json.length / CHUNK));
    const id = `${this.node}:${++this.messageNumber}`;
    for (let index = 0; index < count; index++) {
      this.unsent.push(`${id}:${index}:${count}:${json.slice(index * CHUNK, (index + 1) * CHUNK)}`);
    }
    if (!this.sending) this.sendUnsent();
  }

  /**
   * Sends every waiting chunk in one statement, in order, then whatever arrived meanwhile. A failure is the
   * connection's, which the listener reports and reopens; chunks that were waiting then are dropped (a gap).
   */
  private sendUnsent(): void {
    const payloads = this.unsent;
    if (payloads.length === 0) return;
    this.unsent = [];
    if (!this.listener.listening) return;
    this.sending = true;
    this.listener
      .query(
        'select pg_notify($1, payload) from unnest(cast($2 as text[])) with ordinality as chunk(payload, n) order by n',
        [EVENT_CHANNEL, payloads],
      )
      .catch(() => {})
      .finally(() => {
        this.sending = false;
        this.sendUnsent();
      });
  }

  async close(): Promise<void> {
    await this.listener.close();
  }

  private onNotification(payload: string): void {
    // "<node>:<n>:<index>:<count>:<json chunk>"
    const parts = payload.split(':', 4);
    if (parts.length < 4) return;
    const [node, number, indexText, countText] = parts as [string, string, string, string];
    if (node === this.node) return;
    const body = payload.slice(node.length + number.length + indexText.length + countText.length + 4);
    const key = `${node}:${number}`;
    const index = Number(indexText);
    const count = Number(countText);
    let entry = this.partial.get(key);
    if (entry === undefined) {
      if (index !== 0) return;
      entry = { count, chunks: [] };
      this.partial.set(key, entry);
    }
    entry.chunks.push(body);
    if (entry.chunks.length < entry.count) return;
    this.partial.delete(key);
    try {
      this.receive(JSON.parse(entry.chunks.join('')) as MarketEvent);
    } catch (error) {
      this.onError(error);
    }
  }
}
