/** `signet subaccounts create --email E --name N` and `signet subaccounts list --email E`. */
import type { Command } from 'commander';

import { createSubaccount, listSubaccounts, requireUserByEmail } from '../../accounts/index.ts';
import { printResult, withStore } from '../output.ts';

export function registerSubaccountCommands(subaccounts: Command): void {
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
        return createSubaccount(db, { userId: user.id, name: options.name });
      });
      const out = {
        id: sub.id,
        name: sub.name,
        subaccountId: sub.number,
        createdAt: new Date(sub.createdAt).toISOString(),
      };
      printResult(options, out, () => `Created subaccount ${sub.name} (subaccountId ${sub.number})`);
    });

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
