/**
 * An in-memory cache of key records in front of the signed-request path's key lookup, so that a signed request
 * reads the database only on a miss, and the invalidation that keeps it safe when keys change elsewhere.
 *
 * What is cached: the record the verifier decides on (KeyForDecision: ids, flags, times). Nothing secret: an API
 * key is a public key, and a record grants nothing without a valid signature.
 *
 * Invariant: a change to a key made by any process is seen within a bound. Every change to `api_keys` moves the
 * key epoch (a database trigger, migration 0008), whatever code made it, so no key operation has to remember to
 * invalidate anything:
 * - SQLite (processes sharing one file): each lookup first reads the epoch row (one cached statement, ~1 us); a
 *   new epoch flushes the cache. Staleness: none.
 * - PostgreSQL (nodes sharing a server): a dedicated connection LISTENs on `signet_keys`; the trigger's NOTIFY
 *   names the key and the new epoch, the key is evicted at once. A gap in the epochs (a missed notification)
 *   flushes everything. While the listening connection is down the cache is bypassed (every lookup reads the
 *   database), and when it comes back the cache starts empty. Safety net for a notification lost without the
 *   connection noticing: the epoch is polled every `checkIntervalMs` (default 250 ms) and a newer one flushes.
 *
 * Threat: a lookup that started before a revocation and finishes after its notification must not put the old
 * record back. Every invalidation bumps a generation number; a load stores its result only if no invalidation
 * happened while it ran.
 */
import type { Kysely } from 'kysely';

import { isPostgresUrl } from '../store/create-database.ts';
import { PgListener } from '../store/pg-listener.ts';
import { sqliteConnectionOf } from '../store/prepared-query.ts';
import type { Database } from '../store/schema.ts';

export const KEY_CHANNEL = 'signet_keys';
const MAX_ENTRIES = 100_000;

export interface KeyCacheCounters {
  hits: number;
  misses: number;
  /** Keys evicted by a notification, plus whole-cache flushes. */
  invalidations: number;
}

export interface KeyCache<K> {
  /** The record for `apiKey`: from memory when still valid, else from `load` (undefined: no such key). */
  lookup(apiKey: string, load: (apiKey: string) => Promise<K | undefined>): Promise<K | undefined>;
  readonly counters: KeyCacheCounters;
  close(): Promise<void>;
}

/** The cache itself: a bounded map, a generation number, counters. Freshness is the caller's job. */
class RecordCache<K> {
  private readonly entries = new Map<string, K>();
  private generation = 0;
  readonly counters: KeyCacheCounters = { hits: 0, misses: 0, invalidations: 0 };

  async lookup(
    apiKey: string,
    load: (apiKey: string) => Promise<K | undefined>,
    options: { usable: boolean },
  ): Promise<K | undefined> {
    if (options.usable) {
      const cached = this.entries.get(apiKey);
      if (cached !== undefined) {
        this.counters.hits += 1;
        return cached;
      }
    }
    this.counters.misses += 1;
    const generation = this.generation;
    const record = await load(apiKey);
    // Unknown keys are not remembered: a key created a moment later must work at once, and junk keys must not
    // fill the map.
    if (record !== undefined && options.usable && generation === this.generation) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
      this.entries.set(apiKey, record);
    }
    return record;
  }

  evict(apiKey: string): void {
    this.generation += 1;
    this.counters.invalidations += 1;
    this.entries.delete(apiKey);
  }

  flush(): void {
    this.generation += 1;
    this.counters.invalidations += 1;
    this.entries.clear();
  }
}

/** SQLite: the epoch is read on every lookup, so a change by any process is seen by the next request. */
export function createSqliteKeyCache<K>(db: Kysely<Database>): KeyCache<K> {
  const connection = sqliteConnectionOf(db);
  if (connection === undefined) throw new Error('createSqliteKeyCache needs a SQLite store');
  const statement = connection.prepare('select epoch from key_epoch where id = 1');
  const cache = new RecordCache<K>();
  let known: number | undefined;
  return {
    counters: cache.counters,
    lookup(apiKey, load) {
      const [row] = statement.all([]) as { epoch: number | bigint }[];
      const epoch = Number(row?.epoch);
      if (epoch !== known) {
        if (known !== undefined) cache.flush();
        known = epoch;
      }
      return cache.lookup(apiKey, load, { usable: true });
    },
    close: async () => {},
  };
}

export interface PostgresKeyCacheOptions {
  /** Connection string for the dedicated LISTEN connection (same database and search_path as the store). */
  url: string;
  /** Epoch poll, the safety net for a lost notification (ms, default 250). */
  checkIntervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface PostgresKeyCache<K> extends KeyCache<K> {
  /** Resolves once the listener is subscribed and the cache in use (store/pg-listener.ts reconnects it). */
  ready(): Promise<void>;
  /** The backend pid of the LISTEN connection (tests terminate it); undefined while disconnected. */
  listenerPid(): number | undefined;
}

/** PostgreSQL: LISTEN/NOTIFY per key, an epoch poll as the safety net, bypass while not listening. */
export function createPostgresKeyCache<K>(
  db: Kysely<Database>,
  options: PostgresKeyCacheOptions,
): PostgresKeyCache<K> {
  const cache = new RecordCache<K>();
  const onError = options.onError ?? (() => {});
  let known = 0;
  let schema = '';

  const readEpoch = async (): Promise<number> => {
    const row = await db
      .selectFrom('key_epoch')
      .select('epoch')
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return Number(row.epoch);
  };

  const onNotification = (payload: string): void => {
    const [from, epochText, apiKey] = payload.split(' ');
    if (from !== schema || apiKey === undefined) return;
    const epoch = Number(epochText);
    if (epoch > known + 1) {
      cache.flush();
    } else {
      cache.evict(apiKey);
    }
    if (epoch > known) known = epoch;
  };

  const listener = PgListener.start({
    url: options.url,
    channel: KEY_CHANNEL,
    applicationName: 'signet-key-listener',
    onNotification,
    // Subscribed first, epoch second: a change committed after this read is notified, one before is in the epoch
    // and in the rows the empty cache will load. Whatever changed while the connection was down is forgotten.
    onSubscribed: async (connection) => {
      schema = connection.schema;
      const epoch = await readEpoch();
      cache.flush();
      known = epoch;
    },
    onLost: () => cache.flush(),
    onDown: onError,
  });

  // A failed poll means this node cannot read the database, so it may also have lost notifications without the
  // listening connection noticing yet: subscribe again (lookups bypass the cache until then).
  const poll = setInterval(() => {
    if (!listener.listening) return;
    readEpoch().then(
      (epoch) => {
        if (epoch > known) {
          cache.flush();
          known = epoch;
        }
      },
      (error: unknown) => listener.reconnect(error),
    );
  }, options.checkIntervalMs ?? 250);
  poll.unref();

  return {
    counters: cache.counters,
    lookup: (apiKey, load) => cache.lookup(apiKey, load, { usable: listener.listening }),
    ready: () => listener.ready,
    listenerPid: () => listener.pid,
    close: async () => {
      clearInterval(poll);
      await listener.close();
    },
  };
}

/** No cache: every lookup reads the database (verifiers built without one, e.g. in unit tests). */
export function uncachedKeys<K>(): KeyCache<K> {
  const counters = { hits: 0, misses: 0, invalidations: 0 };
  return {
    counters,
    lookup: (apiKey, load) => {
      counters.misses += 1;
      return load(apiKey);
    },
    close: async () => {},
  };
}

/**
 * The cache for the store at `databaseUrl`: PostgreSQL's listener (waits up to `readyTimeoutMs` for it to
 * subscribe; until then lookups bypass the cache) or SQLite's epoch check. `enabled: false` gives no cache.
 */
export async function openKeyCache<K>(
  db: Kysely<Database>,
  options: {
    databaseUrl: string;
    enabled?: boolean;
    onError?: (error: unknown) => void;
    readyTimeoutMs?: number;
  },
): Promise<KeyCache<K>> {
  if (options.enabled === false) return uncachedKeys();
  if (!isPostgresUrl(options.databaseUrl)) return createSqliteKeyCache(db);
  const cache = createPostgresKeyCache<K>(db, { url: options.databaseUrl, onError: options.onError });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    cache.ready(),
    new Promise((resolve) => (timer = setTimeout(resolve, options.readyTimeoutMs ?? 5000))),
  ]);
  clearTimeout(timer);
  return cache;
}
