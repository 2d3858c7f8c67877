/**
 * `signet addresses remove --email E --address A`: removes an address from a user's withdrawal address
 * book, at once and on every chain.
 *
 * Operators are trusted (they hold the database), so no TOTP code or password is asked; the change is still an
 * audit event (`by: operator`) and an addition still waits out the cooling-off configured for the server
 * (SIGNET_ADDRESS_COOLING_OFF, read from this process's environment, default 24h), so the owner sees it pending
 * in the console and can cancel it. `--api` turns the entry's 2FA requirement off: API keys may withdraw to it
 * once the cooling-off has passed. Removing is immediate.
 */
import type { Command } from 'commander';

import { requireUserByEmail } from '../../accounts/index.ts';
import { AppError } from '../../errors.ts';
import { describeEntry, openBook, toOutput } from '../address-output.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerAddressesRemove(addresses: Command): void {
  addresses
    .command('remove')
    .description("remove an address from a user's withdrawal address book (immediate, on every chain)")
    .requiredOption('--email <email>', "the owner's email")
    .requiredOption('--address <address>', 'the address to remove')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (options: { email: string; address: string; database?: string; json?: boolean }) => {
      const now = Date.now();
      const removed = await withStore(options, async (db) => {
        const user = await requireUserByEmail(db, options.email);
        const book = openBook(db);
        const entries = await book.findByAddress(user.id, options.address);
        if (entries.length === 0) {
          throw new AppError(
            'RESOURCE_NOT_FOUND',
            `${options.address} is not in ${options.email}'s address book`,
          );
        }
        for (const entry of entries) {
          await book.remove({ userId: user.id, id: entry.id, actor: { operator: true }, now });
        }
        return entries;
      });
      const out = removed.map((entry) => toOutput(entry, now));
      printResult(options, out, () => out.map((entry) => `Removed ${describeEntry(entry)}`).join('\n'));
    });
}
