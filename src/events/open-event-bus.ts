/**
 * Picks the event bus for a database (event-bus.ts lists them):
 * - PostgreSQL: NOTIFY (PostgresEventBus);
 * - a SQLite file: the outbox (SqliteOutboxBus), so processes sharing the file share their events;
 * - `:memory:` or no URL: this process only (LocalEventBus): nothing else can open that database;
 * - REDIS_URL set (a RedisLink given): Redis pub/sub (RedisEventBus) over the database path of the dialect.
 * `sharedWaitMs` is how long the sequencer should wait for a missing sequence: 0 when no other process can
 * deliver it.
 */
import type { Kysely } from 'kysely';

import { isPostgresUrl, sqlitePath } from '../store/create-database.ts';
import type { RedisLink } from '../store/redis-link.ts';
import type { Database } from '../store/schema.ts';
import { LocalEventBus, PostgresEventBus, type DatabasePath, type EventBus } from './event-bus.ts';
import type { MarketEvent } from './market-events.ts';
import { RedisEventBus } from './redis-event-bus.ts';
import { SqliteOutboxBus } from './sqlite-outbox.ts';
import { StreamNodes } from './stream-nodes.ts';

export async function openEventBus(options: {
  db: Kysely<Database>;
  databaseUrl: string | undefined;
  redis: RedisLink | undefined;
  receive: (event: MarketEvent) => void;
  onError: (error: unknown) => void;
}): Promise<{ bus: EventBus; gapWaitMs: number }> {
  const { db, databaseUrl: url, receive, onError } = options;
  if (url === undefined || (!isPostgresUrl(url) && sqlitePath(url) === ':memory:')) {
    return { bus: new LocalEventBus(receive), gapWaitMs: 0 };
  }
  let path: DatabasePath;
  let liveNodes: () => number = () => 1;
  let onClose: (() => Promise<void>) | undefined;
  if (isPostgresUrl(url)) {
    path = await PostgresEventBus.open({ url, receive, onError });
    if (options.redis !== undefined) {
      const nodes = await StreamNodes.open(db, path.node, { onError });
      liveNodes = () => nodes.liveCount;
      onClose = () => nodes.close();
    }
  } else {
    const outbox = await SqliteOutboxBus.open({ db, receive, onError });
    liveNodes = () => outbox.liveNodes;
    path = outbox;
  }
  if (options.redis === undefined) return { bus: path, gapWaitMs: 2000 };
  const { channel } = await db.selectFrom('stream_bus').select('channel').executeTakeFirstOrThrow();
  const bus = await RedisEventBus.open({
    link: options.redis,
    path,
    channel,
    receive,
    liveNodes,
    onError,
    ...(onClose ? { onClose } : {}),
  });
  return { bus, gapWaitMs: 2000 };
}
