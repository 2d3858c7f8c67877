/**
 * `signet addresses list --email E`: the operator's view of a user's withdrawal address book.
 *
 * Operators are trusted (they hold the database), so no TOTP code or password is asked; the change is still an
 * audit event (`by: operator`) and an addition still waits out the cooling-off configured for the server
 * (SIGNET_ADDRESS_COOLING_OFF, read from this process's environment, default 24h), so the owner sees it pending
 * in the console and can cancel it. `--api` turns the entry's 2FA requirement off: API keys may withdraw to it
 * once the cooling-off has passed. Removing is immediate.
 */
import type { Command } from 'commander';

import { requireUserByEmail } from '../../accounts/index.ts';
import { describeEntry, openBook, toOutput } from '../address-output.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerAddressesList(addresses: Command): void {
  addresses
    .command('list')
    .description("list a user's withdrawal address book")
    .requiredOption('--email <email>', "the owner's email")
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (options: { email: string; database?: string; json?: boolean }) => {
      const now = Date.now();
      const entries = await withStore(options, async (db) =>
        openBook(db).list((await requireUserByEmail(db, options.email)).id),
      );
      const out = entries.map((entry) => toOutput(entry, now));
      printResult(options, out, () =>
        out.length === 0 ? 'No withdrawal addresses.' : out.map(describeEntry).join('\n'),
      );
    });
}
