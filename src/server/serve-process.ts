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
import {
  ConnectionDispatcher,
  takeConnectionsFromPrimary,
  type AcceptedMessage,
} from './cluster-connections.ts';
import { createFallbackAnswers } from './cluster-fallback.ts';
import { hostClusterShared } from './cluster-shared.ts';
import { reportClusterHealth, type ReadinessCheck } from './readiness.ts';
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

/** Messages a worker sends its primary (besides the hand-off answers of cluster-connections.ts). */
export type WorkerMessage =
  { type: 'signet:listening'; url: string } | { type: 'signet:draining' } | AcceptedMessage;

/** The primary's word on the cluster, for each worker's `/readyz` (readiness.ts). */
type ClusterHealthMessage = { type: 'signet:cluster-health'; check?: ReadinessCheck };

/** Replacement workers that failed to start in a row before `/readyz` says the node is not ready. */
export const FAILED_STARTS_NOT_READY = 2;

/** How long the primary waits before the next replacement after `failures` failed starts in a row. */
export function restartDelayMs(failures: number): number {
  return failures === 0 ? 0 : Math.min(250 * 2 ** (failures - 1), 15_000);
}

export async function serve(options: ServeOptions): Promise<void> {
  if (options.workers > 1 && cluster.isPrimary) return servePrimary(options);
  return serveOne(options);
}

async function serveOne(options: ServeOptions): Promise<void> {
  // A worker listens on a private socket of its own; the primary owns the port and hands it connections.
  const config: ServerConfig = cluster.isWorker
    ? { ...options.config, port: 0, host: '127.0.0.1', listenExclusive: true, clusterShared: true }
    : { ...options.config, clusterShared: false };
  const server = await startServer(config, options.app).catch((error: unknown) => {
    // A failed start may leave handles open (a database pool, a worker's channel to its primary) that would keep
    // the process up, neither serving nor gone: leave once the error is reported (the primary replaces a worker).
    setTimeout(() => process.exit(1), 200).unref();
    throw error;
  });
  const role = cluster.isWorker ? `worker ${cluster.worker?.id}` : 'single process';
  const stopTaking = cluster.isWorker ? takeConnectionsFromPrimary(server.app.server) : () => {};
  if (cluster.isWorker) {
    process.on('message', (message: ClusterHealthMessage) => {
      if (message?.type === 'signet:cluster-health') reportClusterHealth(message.check);
    });
    server.app.log.info({ pid: process.pid, role }, 'worker ready');
    process.send?.({ type: 'signet:listening', url: server.url } satisfies WorkerMessage);
  } else {
    server.app.log.info(
      { pid: process.pid, role },
      `Signet listening on ${server.url} (console at /, API docs at /docs)`,
    );
  }
  const metricsServer =
    options.config.metricsAddress === undefined || cluster.isWorker
      ? undefined
      : await listenMetrics(options.config.metricsAddress, server.metrics);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Connections handed over from now on go back to the primary (another worker, or its own answer).
    stopTaking();
    if (process.connected) process.send?.({ type: 'signet:draining' } satisfies WorkerMessage);
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
  // A worker whose primary died has nobody to hand it connections: finish what it has and leave.
  if (cluster.isWorker) process.on('disconnect', () => stop('disconnect'));
}

/**
 * The primary: owns the port (cluster-connections.ts), starts the workers, and keeps them up. A worker that fails
 * its first start stops the node (a configuration error: better said at once); a worker that dies later is
 * replaced, at once the first time and with growing back-off while replacements keep failing to start, and the
 * node stays up meanwhile: the primary answers what no worker can (cluster-fallback.ts), and `/readyz` says 503.
 */
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

  let stopping = false;
  let failedStarts = 0;
  let lastFailure = '';
  let restartTimer: NodeJS.Timeout | undefined;
  let pendingRestarts = 0;
  const everListened = new Set<number>();
  let initialStartDone = false;

  const unavailableReason = (): string =>
    stopping
      ? 'the node is shutting down'
      : failedStarts > 0
        ? `no worker is serving: replacements failed to start ${failedStarts} times in a row (${lastFailure}); retrying`
        : 'no worker is serving: starting one';
  const fallback = createFallbackAnswers(() => ({
    reason: unavailableReason(),
    retryAfterSeconds: Math.max(1, Math.ceil(restartDelayMs(failedStarts) / 1000)),
  }));
  const dispatcher = await ConnectionDispatcher.listen({
    port: options.config.port,
    host: options.config.host,
    fallback: fallback.take,
  });
  const host = options.config.host.includes(':') ? `[${options.config.host}]` : options.config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${dispatcher.port}`;
  const metricsServer =
    options.config.metricsAddress === undefined
      ? undefined
      : await listenMetrics(options.config.metricsAddress, metrics);

  const healthCheck = (): ReadinessCheck | undefined =>
    failedStarts >= FAILED_STARTS_NOT_READY
      ? {
          name: 'workers',
          ok: false,
          detail: `replacement workers failed to start ${failedStarts} times in a row (${lastFailure})`,
        }
      : undefined;
  const tellWorkers = (): void => {
    const message: ClusterHealthMessage = { type: 'signet:cluster-health', check: healthCheck() };
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker?.isConnected()) worker.send(message, undefined, () => {});
    }
  };

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: WorkerMessage) => {
      if (message?.type === 'signet:accepted') dispatcher.accepted(message);
      else if (message?.type === 'signet:draining') dispatcher.stopSending(worker);
      else if (message?.type === 'signet:listening') listening(worker);
    });
    // A channel error (the worker died mid-write) is handled by its exit; it must not end the primary.
    worker.on('error', () => {});
    return worker;
  };
  const listening = (worker: Worker): void => {
    everListened.add(worker.id);
    if (stopping) return;
    dispatcher.addWorker(worker);
    if (failedStarts > 0) {
      log('a replacement worker started; the node serves again', { failedStarts });
      failedStarts = 0;
      // Starts work again: the other missing workers need not wait out the back-off.
      clearTimeout(restartTimer);
      restartTimer = undefined;
      replaceMissing();
    }
    tellWorkers();
    if (!initialStartDone && dispatcher.workersServing === options.workers) {
      initialStartDone = true;
      log(`Signet listening on ${url} with ${options.workers} workers`, { workers: options.workers });
    }
  };
  // Forks the missing workers: at once while starts succeed, one at a time and after a growing delay while
  // they fail, so a broken start is retried, not multiplied.
  const replaceMissing = (): void => {
    if (restartTimer !== undefined || pendingRestarts === 0 || stopping) return;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      const count = failedStarts > 0 ? 1 : pendingRestarts;
      pendingRestarts -= count;
      for (let i = 0; i < count; i += 1) fork();
    }, restartDelayMs(failedStarts));
  };
  const scheduleReplacement = (): void => {
    pendingRestarts += 1;
    replaceMissing();
  };

  for (let i = 0; i < options.workers; i += 1) fork();

  cluster.on('exit', (worker, code, signal) => {
    const reset = dispatcher.workerExited(worker);
    if (reset > 0) log('connections handed to the dead worker were reset', { reset, worker: worker.id });
    const remaining = Object.keys(cluster.workers ?? {}).length;
    if (stopping) {
      if (remaining === 0) process.exit(process.exitCode ?? 0);
      return;
    }
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!everListened.has(worker.id) && !initialStartDone) {
      // The first start failed: a configuration error, said at once instead of retried forever.
      log('a worker failed to start; stopping', { level: 50, code, signal });
      process.exitCode = 1;
      stop('start-up failure');
      return;
    }
    if (!everListened.has(worker.id)) {
      failedStarts += 1;
      lastFailure = how;
      log(
        `a replacement worker failed to start (${how}); trying again in ${restartDelayMs(failedStarts)} ms`,
        {
          level: 50,
          failedStarts,
          workersServing: dispatcher.workersServing,
        },
      );
      tellWorkers();
    } else {
      log('worker died; starting another', {
        level: 40,
        code,
        signal,
        worker: worker.id,
        workersServing: dispatcher.workersServing,
      });
    }
    scheduleReplacement();
  });

  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    clearTimeout(restartTimer);
    log('shutting down workers', { reason, graceMs: options.graceMs });
    // No new connections; those already accepted are still handed to a worker (or answered here) first.
    dispatcher.close();
    metricsServer?.close();
    const signalWorkers = (): void => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(process.exitCode ?? 0);
    };
    dispatcher.settled(1000).then(signalWorkers, signalWorkers);
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
