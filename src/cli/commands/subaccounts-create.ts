/**
 * `signet subaccounts create --email E --name N`: a named subaccount for a user, up to
 * SIGNET_MAX_SUBACCOUNTS_PER_USER (default 50).
 */
import type { Command } from 'commander';

import { createSubaccount, maxSubaccountsFromEnv, requireUserByEmail } from '../../accounts/index.ts';
import { printResult, withStore } from '../output.ts';

export function registerSubaccountsCreate(subaccounts: Command): void {
  subaccounts
    .command('create')
    .description('create a named subaccount for a user')
    .requiredOption('--email <email>', "the user's email")
    .requiredOption('--name <name>', 'subaccount name')
    .option('--database <url>', 'SQLite path or postgres:// URL')
    .option('--json', 'print JSON')
    .action(async (options: { email: string; name: string; database?: string; json?: boolean }) => {
      const sub = await withStore(options, async (db) => {
        const user = await requireUserByEmail(db, options.email);
        return createSubaccount(db, {
          userId: user.id,
          name: options.name,
          maxSubaccounts: maxSubaccountsFromEnv(process.env),
        });
      });
      const out = {
        id: sub.id,
        name: sub.name,
        subaccountId: sub.number,
        createdAt: new Date(sub.createdAt).toISOString(),
      };
      printResult(options, out, () => `Created subaccount ${sub.name} (subaccountId ${sub.number})`);
    });
}
