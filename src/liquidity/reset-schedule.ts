/**
 * SIGNET_RESET_EVERY (for example `30d`): a public sandbox that resets itself. Every process checks now and then;
 * the one holding the `reset-schedule` lease resets the exchange (keeping users and keys: people keep their
 * accounts and bots their keys, the markets start over) once the interval has passed since the last reset. The
 * first check records an `anchor` (nothing cleared) so the interval counts from the schedule's start, never from
 * an empty table. `/api/v1/status` announces the interval and the next reset.
 */
import type { Kysely } from 'kysely';

import { latestSandboxReset, parseDuration, resetSandbox, type ExchangeConfig } from '../exchange/index.ts';
import type { Database } from '../store/schema.ts';
import { LeaderLease } from './leader-lease.ts';

const MIN_EVERY_MS = 60_000;
const MAX_EVERY_MS = 365 * 86_400_000;

export interface ResetAnnouncement {
  /** The interval as the operator wrote it (`30d`). */
  readonly every: string;
  readonly everyMs: number;
  /** When the next reset is due (ms), or undefined before the schedule's first check. */
  nextAt(): Promise<number | undefined>;
}

/** SIGNET_RESET_EVERY: a duration (`30d`, `12h`, `90m`) from one minute to a year; undefined when unset. */
export function resetEveryFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): { every: string; everyMs: number } | undefined {
  const text = env.SIGNET_RESET_EVERY?.trim();
  if (text === undefined || text === '' || text === 'off') return undefined;
  const ms = /^\d+(m|h|d)$/.test(text) ? parseDuration(text) : undefined;
  if (ms === undefined || ms < MIN_EVERY_MS || ms > MAX_EVERY_MS) {
    throw new Error(
      `SIGNET_RESET_EVERY must be a duration such as 30d, 12h or 90m (1m to 365d), not "${text}"`,
    );
  }
  return { every: text, everyMs: ms };
}

/** What `/api/v1/status` says: the interval, and the next reset counted from the newest one in the database. */
export function announceResets(
  db: Kysely<Database>,
  schedule: { every: string; everyMs: number },
): ResetAnnouncement {
  return {
    ...schedule,
    async nextAt(): Promise<number | undefined> {
      const last = await latestSandboxReset(db);
      return last === undefined ? undefined : last.at + schedule.everyMs;
    },
  };
}

export interface ResetSchedule extends ResetAnnouncement {
  close(): Promise<void>;
}

export function startResetSchedule(options: {
  db: Kysely<Database>;
  config: ExchangeConfig;
  every: string;
  everyMs: number;
  log: {
    info(fields: Record<string, unknown>, message: string): void;
    warn(fields: Record<string, unknown>, message: string): void;
  };
  /** How often to check (default: a thirtieth of the interval, between 1 s and 60 s). */
  checkMs?: number;
  /** The lease that makes one process the scheduler (default `reset-schedule`; tests run a second schedule). */
  leaseName?: string;
}): ResetSchedule {
  const { db, everyMs } = options;
  const checkMs = options.checkMs ?? Math.min(60_000, Math.max(1000, Math.floor(everyMs / 30)));
  const lease = new LeaderLease(db, {
    name: options.leaseName ?? 'reset-schedule',
    ttlMs: Math.max(checkMs * 3, 6000),
  });
  let running: Promise<void> = Promise.resolve();
  const check = async (): Promise<void> => {
    if (!(await lease.acquire())) return;
    const last = await latestSandboxReset(db);
    if (last === undefined) {
      await resetSandbox(db, options.config, { keepUsers: true, keepKeys: true, source: 'anchor' });
      return;
    }
    if (Date.now() < last.at + everyMs || !lease.held) return;
    const result = await resetSandbox(db, options.config, {
      keepUsers: true,
      keepKeys: true,
      source: 'schedule',
    });
    options.log.info({ reset: result }, `sandbox reset (SIGNET_RESET_EVERY=${options.every})`);
  };
  const timer = setInterval(() => {
    running = running
      .then(check)
      .catch((error: unknown) => options.log.warn({ err: error }, 'scheduled reset failed'));
  }, checkMs);
  timer.unref();
  running = check().catch((error: unknown) => options.log.warn({ err: error }, 'scheduled reset failed'));
  return {
    ...announceResets(db, options),
    async close(): Promise<void> {
      clearInterval(timer);
      await running;
      await lease.release().catch(() => {});
    },
  };
}
