/** `signet users create --email E --password P`: an operator creates a console user (with a main subaccount). */
import type { Command } from 'commander';

import { createUser } from '../../accounts/index.ts';
import { printResult, withStore } from '../output.ts';

export function registerUsersCreate(users: Command): void {
  users
    .command('create')
    .description('create a user with a main subaccount')
    .requiredOption('--email <email>', 'email address (the login)')
    .requiredOption('--password <password>', 'password, at least 8 characters')
    .option('--database <url>', 'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)')
    .option('--json', 'print JSON')
    .action(async (options: { email: string; password: string; database?: string; json?: boolean }) => {
      const user = await withStore(options, (db) =>
        createUser(db, { email: options.email, password: options.password }),
      );
      const out = { id: user.id, email: user.email, createdAt: new Date(user.createdAt).toISOString() };
      printResult(options, out, () => `Created user ${user.email} (${user.id})`);
    });
}
