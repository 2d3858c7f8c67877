/**
 * Online backup of a SQLite database: SQLite's backup API (better-sqlite3 `.backup()`) copies a consistent
 * snapshot page by page while servers keep reading and writing the file; WAL content is included. The copy is
 * written to a temporary name beside the target and renamed, so a failed backup never leaves a half file under
 * the requested name. PostgreSQL is backed up with `pg_dump` (docs/DEPLOY.md), not here.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';

import SQLite from 'better-sqlite3';

import { AppError } from '../errors.ts';
import { isPostgresUrl, sqlitePath } from './create-database.ts';

export interface BackupResult {
  file: string;
  pages: number;
}

export async function backupSqlite(databaseUrl: string, file: string): Promise<BackupResult> {
  if (isPostgresUrl(databaseUrl)) {
    throw new AppError(
      'INVALID_CLIENT_REQUEST',
      'signet backup copies SQLite databases; use pg_dump for PostgreSQL',
    );
  }
  const source = sqlitePath(databaseUrl);
  if (source === ':memory:' || !existsSync(source)) {
    throw new AppError('RESOURCE_NOT_FOUND', `No SQLite database at ${source}`);
  }
  if (existsSync(file)) throw new AppError('CONFLICT', `${file} already exists; choose a new file name`);
  const db = new SQLite(source, { fileMustExist: true });
  const partial = `${file}.partial`;
  try {
    db.pragma('busy_timeout = 5000');
    const { totalPages } = await db.backup(partial);
    renameSync(partial, file);
    return { file, pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    db.close();
  }
}
