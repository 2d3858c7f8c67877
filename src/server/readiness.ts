/**
 * Readiness: whether this process can serve, as `/readyz` reports it. Ready means the database can be written
 * (database-outage.ts), every migration this version ships has been applied (and none it does not know), Redis
 * answers when `REDIS_URL` is configured, and the disk holding the database has room (storage-health.ts). Each
 * check has a short timeout so a hung dependency gives a prompt 503, never a hung probe.
 * In a worker of `signet serve --workers N`, the primary's word on the cluster is one more check (`workers`):
 * replacements that keep failing to start make the node not ready (serve-process.ts).
 */
import { Redis } from 'ioredis';

import { readSchemaStatus, type Store } from '../store/create-database.ts';
import { databaseOutageOf, DatabaseUnavailableError, probeWritable } from '../store/database-outage.ts';
import { checkStorage } from './storage-health.ts';

export interface ReadinessCheck {
  name: 'database' | 'migrations' | 'redis' | 'workers' | 'storage';
  ok: boolean;
  /** Why not, when not ok. Never holds a secret (no URLs, no passwords). */
  detail?: string;
}

export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}

const TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

function reason(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 200);
}

let clusterCheck: ReadinessCheck | undefined;

/** The cluster's state as the primary reports it to this worker; `undefined` when there is nothing to report. */
export function reportClusterHealth(check: ReadinessCheck | undefined): void {
  clusterCheck = check;
}

export interface ReadinessProbe {
  check(): Promise<Readiness>;
  close(): Promise<void>;
}

export function createReadinessProbe(
  db: Store,
  options: { redisUrl?: string; databaseUrl?: string } = {},
): ReadinessProbe {
  // One client for the probes, connected lazily, failing fast instead of queueing while Redis is down.
  const redis =
    options.redisUrl === undefined || options.redisUrl === ''
      ? undefined
      : new Redis(options.redisUrl, {
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          connectTimeout: TIMEOUT_MS,
          retryStrategy: () => null,
        });
  redis?.on('error', () => {});

  const outage = databaseOutageOf(db);
  const checkDatabase = async (): Promise<ReadinessCheck[]> => {
    try {
      // Writable, not just answering: a read-only standby or a locked file is not ready either.
      await withTimeout(probeWritable(db), 'the database');
      outage.succeeded();
    } catch (error) {
      // Whatever failed the write probe (a timeout included) makes the database unavailable.
      if (!outage.failed(error)) outage.failed(new DatabaseUnavailableError(reason(error)));
      return [
        { name: 'database', ok: false, detail: reason(error) },
        { name: 'migrations', ok: false, detail: 'database unreachable' },
      ];
    }
    try {
      const status = await withTimeout(readSchemaStatus(db), 'the database');
      const problems = [
        ...(status.pending.length > 0 ? [`pending: ${status.pending.join(', ')}`] : []),
        ...(status.unknown.length > 0 ? [`newer than this version: ${status.unknown.join(', ')}`] : []),
      ];
      return [
        { name: 'database', ok: true },
        problems.length === 0
          ? { name: 'migrations', ok: true }
          : { name: 'migrations', ok: false, detail: problems.join('; ') },
      ];
    } catch (error) {
      return [
        { name: 'database', ok: true },
        { name: 'migrations', ok: false, detail: reason(error) },
      ];
    }
  };

  const checkRedis = async (): Promise<ReadinessCheck[]> => {
    if (redis === undefined) return [];
    try {
      if (redis.status !== 'ready') {
        redis.disconnect();
        await withTimeout(redis.connect(), 'Redis');
      }
      await withTimeout(redis.ping(), 'Redis');
      return [{ name: 'redis', ok: true }];
    } catch (error) {
      return [{ name: 'redis', ok: false, detail: reason(error) }];
    }
  };

  return {
    check: async () => {
      const storage = options.databaseUrl === undefined ? [] : [checkStorage(options.databaseUrl)];
      const checks = (await Promise.all([checkDatabase(), checkRedis(), ...storage])).flat();
      if (clusterCheck !== undefined) checks.push(clusterCheck);
      return { ready: checks.every((c) => c.ok), checks };
    },
    close: async () => {
      redis?.disconnect();
    },
  };
}
