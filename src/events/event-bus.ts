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
 * A lost listener connection is reopened; what was missed shows as a sequence gap (clients resync from REST).
 * Threat: the channel carries order events of every subaccount; it is inside the database's trust boundary.
 */
import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';
import pg from 'pg';

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
  private sender: pg.Client | null = null;
  private listener: pg.Client | null = null;
  private messageNumber = 0;
  /** Chunks not sent yet, in order; `sending` while a send is in flight. */
  private unsent: string[] = [];
  private sending = false;
  private readonly partial = new Map<string, { count: number; chunks: string[] }>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  private constructor(
    private readonly url: string,
    private readonly receive: (event: MarketEvent) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  static async open(options: {
    url: string;
    receive: (event: MarketEvent) => void;
    onError: (error: unknown) => void;
  }): Promise<PostgresEventBus> {
    const bus = new PostgresEventBus(options.url, options.receive, options.onError);
    bus.sender = await bus.connect();
    await bus.listen();
    return bus;
  }

  publish(event: MarketEvent): void {
    this.receive(event);
    this.send(event);
  }

  send(event: MarketEvent): void {
    const sender = this.sender;
    if (sender === null) return;
    const json = JSON.stringify(event);
    const count = Math.max(1, Math.ceil(json.length / CHUNK));
    const id = `${this.node}:${++this.messageNumber}`;
    for (let index = 0; index < count; index++) {
      this.unsent.push(`${id}:${index}:${count}:${json.slice(index * CHUNK, (index + 1) * CHUNK)}`);
    }
    if (!this.sending) this.sendUnsent(sender);
  }

  /** Sends every waiting chunk in one statement, in order, then whatever arrived meanwhile. */
  private sendUnsent(sender: pg.Client): void {
    const payloads = this.unsent;
    if (payloads.length === 0 || this.closed) return;
    this.unsent = [];
    this.sending = true;
    sender
      .query(
        'select pg_notify($1, payload) from unnest(cast($2 as text[])) with ordinality as chunk(payload, n) order by n',
        [EVENT_CHANNEL, payloads],
      )
      .catch(this.onError)
      .finally(() => {
        this.sending = false;
        this.sendUnsent(sender);
      });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await Promise.allSettled([this.sender?.end(), this.listener?.end()]);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', (error) => this.onError(error));
    await client.connect();
    return client;
  }

  private async listen(): Promise<void> {
    const listener = await this.connect();
    listener.on('notification', (message) => {
      if (message.channel === EVENT_CHANNEL && message.payload) this.onNotification(message.payload);
    });
    listener.on('end', () => {
      if (!this.closed) this.scheduleReconnect();
    });
    await listener.query(`listen ${EVENT_CHANNEL}`);
    this.listener = listener;
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer || this.closed) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.listen().catch((error: unknown) => {
        this.onError(error);
        this.scheduleReconnect();
      });
    }, 500);
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
