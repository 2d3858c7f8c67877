/**
 * Stream events between nodes through Redis pub/sub (REDIS_URL), on top of a database path (PostgreSQL NOTIFY, or
 * the SQLite outbox) that is never switched off: Redis is a faster road, never a single point of failure.
 *
 * Send: while Redis is up, an event is PUBLISHed on this database's channel (`stream_bus`, so deployments sharing
 * one Redis never mix) and NOT written to the database path. PUBLISH answers how many subscribers received it;
 * when that is fewer than the live nodes (stream-nodes.ts: a node's subscriber is reconnecting, Redis just came
 * back), or PUBLISH fails, the event is sent through the database path as well. While Redis is down (the link is
 * not ready) events go through the database path only; on SQLite that is the outbox row written inside the commit.
 * Receive: every node listens on both roads; the sequencer (event-sequencer.ts) drops whatever arrives twice.
 * Cost: one PUBLISH per market commit (auto-pipelined with the link's other commands) instead of a NOTIFY or an
 * outbox row; a receiver hears it in well under a millisecond instead of the outbox's poll interval.
 * Residual risk: a subscriber that is counted by PUBLISH but whose connection drops before the message is flushed
 * misses it; that node sees a sequence gap and its depth clients resync from REST.
 * Threat: the channel carries order events of every subaccount; Redis is inside the same trust boundary as the
 * database (it already holds rate-limit and replay state). Messages are parsed as data only.
 */
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';

import type { RedisLink } from '../store/redis-link.ts';
import type { Database } from '../store/schema.ts';
import type { DatabasePath, EventBus } from './event-bus.ts';
import type { MarketEvent } from './market-events.ts';

export class RedisEventBus implements EventBus {
  readonly node: string;
  /** Events the database path already carries (written inside their commit while Redis was down). */
  private readonly recorded = new WeakSet<MarketEvent>();
  private closed = false;

  private constructor(
    private readonly options: {
      link: RedisLink;
      path: DatabasePath;
      channel: string;
      subscriber: Redis;
      receive: (event: MarketEvent) => void;
      liveNodes: () => number;
      onError: (error: unknown) => void;
      /** Also run by close() (the node registry the bus counts with). */
      onClose?: () => Promise<void>;
    },
  ) {
    this.node = options.path.node;
  }

  /** Subscribes (waiting at most a second: a Redis that is down must not hold the server's start). */
  static async open(options: {
    link: RedisLink;
    path: DatabasePath;
    channel: string;
    receive: (event: MarketEvent) => void;
    liveNodes: () => number;
    onError: (error: unknown) => void;
    onClose?: () => Promise<void>;
  }): Promise<RedisEventBus> {
    // A connection of its own: a subscribed connection can run nothing else. Its subscription is queued while
    // Redis is down and renewed by ioredis after every reconnect.
    const subscriber = options.link.client.duplicate({
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      enableAutoPipelining: false,
    });
    const bus = new RedisEventBus({ ...options, subscriber });
    subscriber.on('error', () => {}); // the link logs outages; reconnects are automatic
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === options.channel) bus.onMessage(message);
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      subscriber.subscribe(options.channel).catch(() => {}),
      new Promise((resolve) => (timer = setTimeout(resolve, 1000))),
    ]);
    clearTimeout(timer);
    return bus;
  }

  publish(event: MarketEvent): void {
    const { link, path, channel } = this.options;
    this.options.receive(event);
    if (this.closed || this.recorded.has(event)) return;
    if (!link.isUp()) return path.send(event);
    link.client.publish(channel, JSON.stringify(event)).then(
      (receivers) => {
        if (receivers < this.options.liveNodes()) path.send(event);
      },
      () => {
        link.markDown();
        path.send(event);
      },
    );
  }

  async recordInCommit(trx: Kysely<Database>, event: MarketEvent): Promise<void> {
    const { link, path } = this.options;
    if (link.isUp() || path.recordInCommit === undefined) return;
    await path.recordInCommit(trx, event);
    this.recorded.add(event);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.options.subscriber.removeAllListeners('message');
    this.options.subscriber.disconnect();
    await Promise.all([this.options.path.close(), this.options.onClose?.()]);
  }

  private onMessage(message: string): void {
    let event: MarketEvent;
    try {
      event = JSON.parse(message) as MarketEvent;
    } catch (error) {
      return this.options.onError(error);
    }
    if (event.node !== this.node) this.options.receive(event);
  }
}
