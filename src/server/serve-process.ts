/**
 * What `signet serve` runs: one server process, or a node:cluster primary with N workers sharing the port, and
 * the process lifecycle around them (graceful shutdown on SIGTERM/SIGINT within a grace period).
 *
 * Shutdown (each serving process): stop accepting connections; requests already received, and requests arriving on
 * open keep-alive connections, are served and answered with `Connection: close`; connections idle at that moment
 * are closed after a short linger; at the end of the grace every remaining connection is cut and the process
 * exits. The primary forwards the signal to its workers and exits when they have.
 *
 * Workers share nothing in memory that must agree: order books rebuild from the database's sequence rows, key
 * caches are invalidated through the database's key epoch, so any worker may take any request. Replay refusal and
 * rate limits are shared through Redis when REDIS_URL is set and up, and through this primary otherwise
 * (cluster-shared.ts), so a replay to another worker is refused and limits count once per node. Migrations run
 * once, in the primary, before any worker starts. `signet serve` runs one worker per core by default.
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';

import { openStore } from '../store/create-database.ts';
import type { BuildAppOptions } from './app.ts';
import { hostClusterShared } from './cluster-shared.ts';
import { createClusterMetrics, parseMetricsAddress } from './metrics.ts';
import { replayHorizonFileOf, startServer, type ServerConfig } from './start-server.ts';

export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

export interface ServeOptions {
  config: ServerConfig;
  app: BuildAppOptions;
  /** Processes sharing the port; 1 runs the server in this process. */
  workers: number;
  /** How long a shutdown may take before remaining connections are cut (SIGNET_SHUTDOWN_GRACE, ms). */
  graceMs: number;
}

/**
 * `SIGNET_WORKERS`, or one process per core (`os.availableParallelism()`). Safe without Redis: the workers share
 * replay refusal and rate limits through the primary (cluster-shared.ts); with REDIS_URL, through Redis.
 */
export function defaultWorkerCount(
  env: NodeJS.ProcessEnv = process.env,
  cores: () => number = availableParallelism,
): number {
  return env.SIGNET_WORKERS ? Number(env.SIGNET_WORKERS) : cores();
}

export function shutdownGraceFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const value = env.SIGNET_SHUTDOWN_GRACE;
  if (value === undefined || value === '') return DEFAULT_SHUTDOWN_GRACE_MS;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0)
    throw new Error('SIGNET_SHUTDOWN_GRACE must be a number of milliseconds');
  return ms;
}

/** Messages a worker sends its primary. */
export type WorkerMessage = { type: 'signet:listening'; url: string };

export async function serve(options: ServeOptions): Promise<void> {
  if (options.workers > 1 && cluster.isPrimary) return servePrimary(options);
  return serveOne(options);
}

async function serveOne(options: ServeOptions): Promise<void> {
  const server = await startServer({ ...options.config, clusterShared: cluster.isWorker }, options.app);
  const role = cluster.isWorker ? `worker ${cluster.worker?.id}` : 'single process';
  server.app.log.info(
    { pid: process.pid, role },
    `Signet listening on ${server.url} (console at /, API docs at /docs)`,
  );
  if (cluster.isWorker) process.send?.({ type: 'signet:listening', url: server.url } satisfies WorkerMessage);
  const metricsServer =
    options.config.metricsAddress === undefined || cluster.isWorker
      ? undefined
      : await listenMetrics(options.config.metricsAddress, server.metrics);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal, graceMs: options.graceMs }, 'shutting down: finishing requests in flight');
    const started = Date.now();
    metricsServer?.close();
    server.close({ graceMs: options.graceMs }).then(
      () => {
        server.app.log.info({ ms: Date.now() - started }, 'shut down');
        process.exit(0);
      },
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // A worker whose primary died has nobody to hand it connections: leave.
  if (cluster.isWorker) process.on('disconnect', () => stop('disconnect'));
}

async function servePrimary(options: ServeOptions): Promise<void> {
  const log = (message: string, fields: Record<string, unknown> = {}): void => {
    process.stdout.write(
      `${JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, role: 'primary', ...fields, msg: message })}\n`,
    );
  };
  // Migrate once here, so workers start on the current schema instead of racing for it.
  const db = await openStore(options.config.databaseUrl);
  await db.destroy();
  const metrics = createClusterMetrics();
  // Replay refusal and rate limits for every worker, when Redis is absent or down (cluster-shared.ts).
  hostClusterShared({
    maxReplayEntries: options.config.replay?.maxEntries,
    subaccountShare: options.config.replay?.subaccountShare,
    horizonFile: replayHorizonFileOf(options.config),
    log: { warn: (message) => log(message, { level: 40 }) },
  });
  const metricsServer =
    options.config.metricsAddress === undefined
      ? undefined
      : await listenMetrics(options.config.metricsAddress, metrics);

  let stopping = false;
  let listening = 0;
  const everListened = new Set<number>();
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: WorkerMessage) => {
      if (message?.type !== 'signet:listening') return;
      everListened.add(worker.id);
      listening += 1;
      if (listening === options.workers) {
        log(`Signet listening on ${message.url} with ${options.workers} workers`, {
          workers: options.workers,
        });
      }
    });
    return worker;
  };
  for (let i = 0; i < options.workers; i += 1) fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    if (!everListened.has(worker.id)) {
      log('a worker failed to start; stopping', { code, signal });
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    log('worker died; starting another', { code, signal, worker: worker.id });
    fork();
  });

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    log('shutting down workers', { signal, graceMs: options.graceMs });
    metricsServer?.close();
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    // Workers cut their own connections at the grace; this only catches a worker that hangs beyond it.
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, options.graceMs + 5000).unref();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The separate metrics listener (SIGNET_METRICS_ADDRESS): `GET /metrics` only, no token, for a private address. */
async function listenMetrics(
  address: string,
  metrics: { render: () => Promise<string>; contentType: string },
): Promise<Server> {
  const { host, port } = parseMetricsAddress(address);
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    metrics.render().then(
      (text) => response.writeHead(200, { 'content-type': metrics.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics unavailable\n'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
