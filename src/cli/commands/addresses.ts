/**
 * `signet addresses add|list|remove`: the operator's view of a user's withdrawal address book.
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
import {
  AddressBook,
  entryStatus,
  pendingUntil,
  withdrawalAddressSettingsFromEnv,
  type AddressBookEntry,
} from '../../exchange/index.ts';
import type { Store } from '../../store/create-database.ts';
import { printResult, withStore } from '../output.ts';

const databaseOption = [
  '--database <url>',
  'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)',
] as const;

interface EntryOutput {
  id: string;
  label: string;
  blockchain: string;
  address: string;
  twoFactorRequired: boolean;
  status: 'pending' | 'active';
  pendingUntil: string | null;
  apiWithdrawals: boolean;
  createdAt: string;
}

function toOutput(entry: AddressBookEntry, now: number): EntryOutput {
  const until = pendingUntil(entry, now);
  const status = entryStatus(entry, now);
  return {
    id: entry.id,
    label: entry.label,
    blockchain: entry.blockchain,
    address: entry.address,
    twoFactorRequired: entry.apiAllowedAt === null,
    status,
    pendingUntil: until === null ? null : new Date(until).toISOString(),
    apiWithdrawals: entry.apiAllowedAt !== null && status === 'active',
    createdAt: new Date(entry.createdAt).toISOString(),
  };
}

function describeEntry(entry: EntryOutput): string {
  const state = entry.status === 'pending' ? `pending until ${entry.pendingUntil}` : 'active';
  const api = entry.twoFactorRequired ? '2FA required' : 'API withdrawals allowed';
  return `${entry.blockchain}\t${entry.address}\t${entry.label}\t${state}, ${api}`;
}

function openBook(db: Store): AddressBook {
  return new AddressBook({ db, settings: withdrawalAddressSettingsFromEnv(process.env) });
}

export function registerAddressCommands(addresses: Command): void {
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
