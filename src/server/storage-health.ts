/**
 * A full disk, told apart from other failures: a write that fails for want of space (SQLite's SQLITE_FULL, ENOSPC,
 * PostgreSQL's disk_full) is answered 503 `MAINTENANCE` with the `INSUFFICIENT_STORAGE` detail and `Retry-After`,
 * not an opaque 500; nothing of the failed request was stored (its transaction rolled back).
 *
 * `/readyz` says 503 (`storage` check) while the disk is full: for a SQLite file, while the filesystem holding it
 * has less than MIN_FREE_BYTES free; for PostgreSQL (whose disk Signet cannot see), for RECHECK_MS after each
 * failed write. Service comes back by itself once space is freed: nothing is latched beyond that.
 */
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';

import { AppError } from '../errors.ts';
import { isPostgresUrl, sqlitePath } from '../store/create-database.ts';

/**
 * Below this much free space on the SQLite file's filesystem the node is not ready: writes are about to fail (or
 * do). Small on purpose: with the WAL bounded (store/create-database.ts) a node freed of a few MiB serves again,
 * and must say so.
 */
export const MIN_FREE_BYTES = 1024 * 1024;
/** How long after a failed write a PostgreSQL node reports not ready. */
const RECHECK_MS = 10_000;
export const STORAGE_RETRY_AFTER_SECONDS = 5;

const FULL_CODES = new Set(['SQLITE_FULL', 'ENOSPC', '53100']);

let lastFullAt: number | undefined;

/** Whether `error` (or one of its causes) is a write refused for want of disk space. */
export function isStorageFull(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && FULL_CODES.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Records a write refused for want of space; returns the error to answer it with. */
export function storageFullError(): AppError {
  lastFullAt = Date.now();
  return AppError.of(
    'INSUFFICIENT_STORAGE',
    'The server cannot store anything right now: its disk is full. Nothing was changed; try again later.',
  );
}

/** True the first time after a quiet period: the caller logs one line per episode, not one per request. */
export function firstInEpisode(): boolean {
  return lastFullAt === undefined || Date.now() - lastFullAt > RECHECK_MS;
}

/** The `storage` readiness check for the database at `databaseUrl`. */
/** The `storage` check of /readyz (readiness.ts takes it as one of its checks). */
export interface StorageCheck {
  name: 'storage';
  ok: boolean;
  detail?: string;
}

export async function checkStorage(databaseUrl: string): Promise<StorageCheck> {
  if (isPostgresUrl(databaseUrl)) {
    return lastFullAt !== undefined && Date.now() - lastFullAt < RECHECK_MS
      ? { name: 'storage', ok: false, detail: 'the database refused a write: disk full' }
      : { name: 'storage', ok: true };
  }
  const path = sqlitePath(databaseUrl);
  if (path === ':memory:') return { name: 'storage', ok: true };
  try {
    const stats = await statfs(dirname(path));
    const free = stats.bavail * stats.bsize;
    if (free >= MIN_FREE_BYTES) return { name: 'storage', ok: true };
    return {
      name: 'storage',
      ok: false,
      detail: `disk full: ${Math.floor(free / 1024)} KiB free beside the database, at least ${MIN_FREE_BYTES / 1024} KiB needed`,
    };
  } catch (error) {
    return { name: 'storage', ok: false, detail: (error as Error).message.slice(0, 200) };
  }
}
