/**
 * `signet addresses add --email E --blockchain B --address A [--label L] [--api]`: adds an address to a user's
 * withdrawal address book (pending for the cooling-off).
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

export function registerAddressesAdd(addresses: Command): void {
  addresses
    .command('add')
    .description("add an address to a user's withdrawal address book (pending for the cooling-off)")
    .requiredOption('--email <email>', "the owner's email")
    .requiredOption('--blockchain <name>', "Backpack's spelling, e.g. Solana, Ethereum")
    .requiredOption('--address <address>', 'the destination address')
    .option('--label <label>', 'a name for the address (default: the blockchain)')
    .option('--api', 'turn the 2FA requirement off: API keys may withdraw to it after the cooling-off')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(
      async (options: {
        email: string;
        blockchain: string;
        address: string;
        label?: string;
        api?: boolean;
        database?: string;
        json?: boolean;
      }) => {
        const now = Date.now();
        const entry = await withStore(options, async (db) => {
          const user = await requireUserByEmail(db, options.email);
          return openBook(db).add({
            userId: user.id,
            label: options.label ?? options.blockchain,
            blockchain: options.blockchain,
            address: options.address,
            allowApi: options.api === true,
            actor: { operator: true },
            now,
          });
        });
        const out = toOutput(entry, now);
        printResult(options, out, () => `Added ${describeEntry(out)}`);
      },
    );
}
