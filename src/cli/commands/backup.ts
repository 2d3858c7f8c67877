/** `signet backup FILE`: an online, consistent copy of the SQLite database while servers keep running. */
import type { Command } from 'commander';

import { backupSqlite } from '../../store/backup.ts';
import { databaseUrl, printResult } from '../output.ts';

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite database to FILE while it is in use (PostgreSQL: use pg_dump)')
    .argument('<file>', 'where to write the copy (must not exist)')
    .option('--database <url>', 'SQLite path (default: $DATABASE_URL or data/signet.db)')
    .option('--json', 'print JSON')
    .action(async (file: string, options: { database?: string; json?: boolean }) => {
      const result = await backupSqlite(databaseUrl(options), file);
      printResult(options, result, () => `Backed up ${result.pages} pages to ${result.file}`);
    });
}
