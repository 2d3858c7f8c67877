/**
 * The market-event pipeline of one process, from the exchange's commits to an ordered feed: the exchange's group
 * commits become MarketEvents (commit-events.ts), go out on the event bus (open-event-bus.ts), come back from
 * every node sharing the database, and are put in commit order per market (event-sequencer.ts) before `deliver`.
 *
 * Order of start-up (why): the bus registers this node before the market sequences are read, so an event committed
 * in between is received and dropped as old, never missed; events that arrive before the starting sequences are
 * known wait in `early`. Transport-free: the WebSocket layer (server/streams/) only consumes `deliver`.
 */
import type { Kysely } from 'kysely';

import type { Exchange } from '../exchange/index.ts';
import type { RedisLink } from '../store/redis-link.ts';
import type { Database } from '../store/schema.ts';
import { CommitEventBuilder } from './commit-events.ts';
import type { EventBus } from './event-bus.ts';
import { EventSequencer } from './event-sequencer.ts';
import type { MarketEvent } from './market-events.ts';
import { openEventBus } from './open-event-bus.ts';

export interface MarketEventFeedOptions {
  readonly db: Kysely<Database>;
  readonly exchange: Exchange;
  /** The database's URL: events of every node sharing it reach this node (open-event-bus.ts). */
  readonly databaseUrl?: string;
  /** REDIS_URL's link: events travel through Redis pub/sub while it is up (redis-event-bus.ts). */
  readonly redis?: RedisLink;
  /** Receives every market's events in commit order; `afterGap` when the sequencer gave up waiting for one. */
  readonly deliver: (event: MarketEvent, info: { afterGap: boolean }) => void;
  readonly onError: (error: unknown) => void;
}

export interface MarketEventFeed {
  /** Stops publishing this exchange's commits, the sequencer's timers and the bus. */
  close(): Promise<void>;
}

export async function openMarketEventFeed(options: MarketEventFeedOptions): Promise<MarketEventFeed> {
  const { db, exchange, onError } = options;
  let early: MarketEvent[] | null = [];
  let sequencer: EventSequencer | null = null;
  const receive = (event: MarketEvent): void => {
    if (sequencer !== null) sequencer.push(event);
    else early?.push(event);
  };
  const { bus, gapWaitMs } = await openEventBus({
    db,
    databaseUrl: options.databaseUrl,
    redis: options.redis,
    receive,
    onError,
  });
  // A hole in the sequences waits gapWaitMs for another node's event; 0 when no other process can send one.
  const ordered = new EventSequencer(options.deliver, { gapWaitMs });
  const counters = await db
    .selectFrom('counters')
    .select(['name', 'value'])
    .where('name', 'like', 'market:%')
    .execute();
  for (const row of counters) ordered.setBaseline(row.name.slice('market:'.length), Number(row.value));
  sequencer = ordered;
  for (const event of early) ordered.push(event);
  early = null;
  const stopObserving = exchange.observeCommits(
    new CommitEventBuilder({
      node: bus.node,
      config: exchange.config,
      publish: (event) => bus.publish(event),
      ...(bus.recordInCommit
        ? {
            record: (trx, event) =>
              (bus.recordInCommit as NonNullable<EventBus['recordInCommit']>)(trx, event),
          }
        : {}),
    }),
  );
  return {
    async close(): Promise<void> {
      stopObserving();
      ordered.close();
      await bus.close();
    },
  };
}
