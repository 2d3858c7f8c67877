/**
 * The one place Signet reaches into @fastify/rate-limit's internals: its LocalStore and RedisStore classes, which
 * the package does not export from its entry point (`store/LocalStore.js`, `store/RedisStore.js`). Signet counts
 * with them outside the plugin's request wrapper (signed requests per subaccount, failed authentications, the
 * cluster primary's shared counters), so the counting rules stay the library's.
 *
 * What Signet relies on, pinned by rate-limit-stores.test.ts against the installed version: the constructors'
 * arguments, `incr` and `read` with `(key, callback, timeWindow, max)` answering `{current, ttl}`, `read` not
 * counting, a window that restarts once `timeWindow` passed, and the local store answering synchronously (the
 * signed path and the primary read its answer right after the call, without a promise). An upgrade of the package
 * that changes any of it fails that test instead of miscounting.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** A counter store with the plugin's store interface. */
export interface CounterStore {
  incr(key: string, callback: StoreCallback, timeWindow: number, max: number): void;
  read(key: string, callback: StoreCallback, timeWindow: number, max: number): void;
  child(options: unknown): CounterStore;
}

/** Keys a local store keeps (least recently used ones are forgotten beyond it). */
export const LOCAL_STORE_KEYS = 100_000;

type LocalStoreClass = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  cache: number,
) => CounterStore;
type RedisStoreClass = new (
  continueExceeding: boolean,
  exponentialBackoff: boolean,
  client: unknown,
  prefix: string,
) => CounterStore;

/** Counters in this process's memory: fixed windows, no back-off, answered synchronously. */
export function createLocalCounterStore(): CounterStore {
  const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as LocalStoreClass;
  return new LocalStore(false, false, LOCAL_STORE_KEYS);
}

/** Counters in Redis (the plugin's Lua script), under `prefix`; `client` is an ioredis client. */
export function createRedisCounterStore(client: unknown, prefix: string): CounterStore {
  const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as RedisStoreClass;
  return new RedisStore(false, false, client, prefix);
}

/** Runs a local store's call and returns its answer (it answers before returning, see above). */
export function countNow(
  store: Pick<CounterStore, 'incr' | 'read'>,
  method: 'incr' | 'read',
  key: string,
  timeWindow: number,
  max: number,
): { current: number; ttl: number } {
  let answer: { current: number; ttl: number } | undefined;
  store[method](key, (_error, result) => (answer = result), timeWindow, max);
  if (answer === undefined) throw new Error('the local rate-limit store did not answer synchronously');
  return answer;
}
