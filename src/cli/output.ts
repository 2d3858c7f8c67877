/**
 * How every command prints: `--json` gives machine-readable output on stdout; failures print one line on stderr
 * and exit non-zero (1 for a refused request, 2 for bad usage). Secrets are printed only by the commands that
 * create them, only to stdout, and never logged.
 */
import { AppError } from '../errors.ts';
import { DEFAULT_DATABASE_URL, openStore, type Store } from '../store/create-database.ts';

export interface OutputOptions {
  json?: boolean;
}

export function printResult(options: OutputOptions, value: unknown, human: () => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

export function fail(message: string, exitCode = 1): never {
  throw Object.assign(new Error(message), { exitCode });
}

export function reportError(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`signet: ${message.split('\n')[0]}\n`);
  if (error instanceof AppError) return 1;
  const exitCode = (error as { exitCode?: unknown }).exitCode;
  return typeof exitCode === 'number' ? exitCode : 1;
}

/** The --database option of every operator command (commander's `.option(...databaseOption)`). */
export const databaseOption = [
  '--database <url>',
  'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)',
] as const;

export function databaseUrl(options: { database?: string }): string {
  return options.database ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
}

/** Runs `work` with an open store and always closes it, so the command exits promptly. */
export async function withStore<T>(
  options: { database?: string },
  work: (db: Store) => Promise<T>,
): Promise<T> {
  const db = await openStore(databaseUrl(options));
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

export function formatTime(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString();
}
