/** `signet subaccounts list --email E`: a user's subaccounts, the main one marked. */
import type { Command } from 'commander';

import { listSubaccounts, requireUserByEmail } from '../../accounts/index.ts';
import { printResult, withStore } from '../output.ts';

export function registerSubaccountsList(subaccounts: Command): void {
  subaccounts
    .command('list')
    .description("list a user's subaccounts")
    .requiredOption('--email <email>', "the user's email")
    .option('--database <url>', 'SQLite path or postgres:// URL')
    .option('--json', 'print JSON')
    .action(async (options: { email: string; database?: string; json?: boolean }) => {
      const subs = await withStore(options, async (db) =>
        listSubaccounts(db, (await requireUserByEmail(db, options.email)).id),
      );
      const out = subs.map((s) => ({ id: s.id, name: s.name, subaccountId: s.number, main: s.isMain }));
      printResult(options, out, () =>
        subs.map((s) => `${s.number}\t${s.name}${s.isMain ? ' (main)' : ''}`).join('\n'),
      );
    });
}
