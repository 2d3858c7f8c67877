/**
 * Prometheus metrics (prom-client): one registry per process that other parts add their own metrics to
 * (`metrics.registry`), rendered at `/metrics`.
 *
 * Hot path: a request costs one labelled counter increment (onResponse), a signed request one histogram
 * observation. Everything else is read when scraped: key-cache counters are plain numbers the cache keeps anyway,
 * order and fill totals are the database's highest ids (indexed, cluster-wide).
 *
 * Exposure (never public by default): with `SIGNET_METRICS_TOKEN`, `/metrics` on the API port requires
 * `Authorization: Bearer <token>`; with `SIGNET_METRICS_ADDRESS` (host:port) a separate listener serves it
 * without a token, for a private interface. With workers, either way answers for the whole cluster: the primary
 * aggregates its workers' registries (AggregatorRegistry; counters summed, database totals by max).
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import cluster from 'node:cluster';

import { sql } from 'kysely';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { KeyCacheCounters, ReplayStats } from '../keys/index.ts';
import type { Store } from '../store/create-database.ts';

export interface MetricsSources {
  db: Store;
  keyCache?: { readonly counters: KeyCacheCounters };
  /** Counted by each process's guard, wherever the claim was decided (Redis, the cluster primary, here). */
  replay?: { readonly stats: ReplayStats };
}

export interface Metrics {
  /** Add your own metrics here (streams, rate limits, ...). */
  readonly registry: Registry;
  request(route: string, method: string, status: number): void;
  /** One signed request verified: `refusal` is the refusal code, undefined when accepted. */
  verified(seconds: number, refusal: string | undefined): void;
  /** Database or Redis failure seen outside a request (listener, background writes, probes). */
  error(component: 'database' | 'redis', source: string): void;
  /** The metrics text of this process, or of the whole cluster in a worker. */
  render(): Promise<string>;
  readonly contentType: string;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'signet_' });

  const requests = new Counter({
    name: 'signet_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'signet_signed_request_refusals_total',
    help: 'Signed requests refused, by reason (error code)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const verification = new Histogram({
    name: 'signet_signed_request_verification_seconds',
    help: 'Time to verify a signed request (parse, window, key lookup, signature, permission)',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'signet_dependency_errors_total',
    help: 'Database and Redis errors seen outside requests, by component and source',
    labelNames: ['component', 'source'] as const,
    registers: [registry],
  });
  /** A counter that follows a plain number some part keeps anyway, read when scraped. */
  const followCounter = (name: string, help: string, read: () => number): void => {
    let reported = 0;
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const now = read();
        this.inc(now - reported);
        reported = now;
      },
    });
  };
  const cacheCounter = (name: string, help: string, field: keyof KeyCacheCounters): void =>
    followCounter(name, help, () => sources.keyCache?.counters[field] ?? 0);
  cacheCounter('signet_key_cache_hits_total', 'Key lookups answered from memory', 'hits');
  cacheCounter('signet_key_cache_misses_total', 'Key lookups that read the database', 'misses');
  cacheCounter(
    'signet_key_cache_invalidations_total',
    'Cached keys evicted or caches flushed',
    'invalidations',
  );
  // Replay refusals, counted by each process's guard wherever they were decided (Redis, the primary, here).
  const replayCounter = (name: string, help: string, field: keyof ReplayStats): void =>
    followCounter(name, help, () => sources.replay?.stats[field] ?? 0);
  replayCounter('signet_replays_refused_total', 'Signed requests refused as replays', 'replays');
  replayCounter(
    'signet_replay_store_full_total',
    'Signed requests refused because the replay store was full (SIGNET_REPLAY_MAX_ENTRIES)',
    'refusedFull',
  );
  replayCounter(
    'signet_replay_redis_fallbacks_total',
    'Replay checks decided without Redis while it was down',
    'redisFallbacks',
  );
  replayCounter(
    'signet_replay_primary_fallbacks_total',
    'Replay checks a worker decided alone because the cluster primary did not answer',
    'sharedFallbacks',
  );

  const total = (name: string, help: string, table: 'orders' | 'trades'): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      // The same database total in every worker: aggregate by max, not sum.
      aggregator: 'max',
      async collect() {
        try {
          const { rows } = await sql<{
            top: unknown;
          }>`select max(id) as top from ${sql.table(table)}`.execute(sources.db);
          this.set(Number(rows[0]?.top ?? 0));
        } catch {
          errors.inc({ component: 'database', source: 'metrics' });
        }
      },
    });
  };
  total('signet_orders', 'Orders placed, all nodes (highest order id)', 'orders');
  total('signet_fills', 'Fills (trades), all nodes (highest trade id)', 'trades');

  if (cluster.isWorker) {
    // Answer the primary's AggregatorRegistry with this registry.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }

  return {
    registry,
    contentType: registry.contentType,
    request: (route, method, status) => requests.inc({ route, method, status }),
    verified: (seconds, refusal) => {
      verification.observe(seconds);
      if (refusal !== undefined) refusals.inc({ reason: refusal });
    },
    error: (component, source) => errors.inc({ component, source }),
    render: () => (cluster.isWorker ? askPrimary() : registry.metrics()),
  };
}

/** Messages between a worker and its primary about metrics. */
type MetricsMessage =
  | { type: 'signet:metrics-request'; id: number }
  | { type: 'signet:metrics-response'; id: number; text?: string; error?: string };

let nextRequest = 0;

function askPrimary(): Promise<string> {
  const id = (nextRequest += 1);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary did not answer the metrics request'));
    }, 5000);
    const onMessage = (message: MetricsMessage): void => {
      if (message?.type !== 'signet:metrics-response' || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (message.text !== undefined) resolve(message.text);
      else reject(new Error(message.error ?? 'metrics aggregation failed'));
    };
    process.on('message', onMessage);
    process.send?.({ type: 'signet:metrics-request', id } satisfies MetricsMessage);
  });
}

/** In the primary: aggregates the workers' registries, for workers that were asked and for the metrics address. */
export function createClusterMetrics(): { render: () => Promise<string>; contentType: string } {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: MetricsMessage) => {
    if (message?.type !== 'signet:metrics-request') return;
    aggregator.clusterMetrics().then(
      (text) =>
        worker.send({ type: 'signet:metrics-response', id: message.id, text } satisfies MetricsMessage),
      (error: unknown) =>
        worker.send({
          type: 'signet:metrics-response',
          id: message.id,
          error: String(error),
        } satisfies MetricsMessage),
    );
  });
  return { render: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}

/** True when the Authorization header carries the operator token (compared in constant time). */
export function hasMetricsToken(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header.slice('Bearer '.length)), digest(token));
}

/** `host:port` of SIGNET_METRICS_ADDRESS (a bare port means 127.0.0.1). */
export function parseMetricsAddress(value: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new Error('SIGNET_METRICS_ADDRESS must be host:port or a port');
  return { host: match[1] || '127.0.0.1', port };
}
