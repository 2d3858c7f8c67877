/**
 * `signet keys revoke-all --email E [--subaccount NAME]`: revokes every live key of a user, or of one of their
 * subaccounts (a compromised machine).
 * Operator command: it works on the database directly and needs no TOTP code.
 */
import type { Command } from 'commander';

import { requireUserByEmail, resolveSubaccount } from '../../accounts/index.ts';
import { revokeAllApiKeys } from '../../keys/index.ts';
import { iso } from '../key-output.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerKeysRevokeAll(keys: Command): void {
  keys
    .command('revoke-all')
    .description('revoke every live key of a user, or of one of their subaccounts (a compromised machine)')
    .requiredOption('--email <email>', "the owner's email")
    .option('--subaccount <name>', 'only this subaccount’s keys')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (options: { email: string; subaccount?: string; database?: string; json?: boolean }) => {
      const revoked = await withStore(options, async (db) => {
        const user = await requireUserByEmail(db, options.email);
        const subaccount =
          options.subaccount === undefined
            ? undefined
            : await resolveSubaccount(db, user.id, { name: options.subaccount });
        const keys = await revokeAllApiKeys(db, { userId: user.id, subaccountId: subaccount?.id });
        return keys.map((k) => ({ apiKey: k.apiKey, name: k.name, revokedAt: iso(k.revokedAt) }));
      });
      printResult(options, revoked, () =>
        revoked.length === 0
          ? 'No live keys to revoke.'
          : [`Revoked ${revoked.length} key(s):`, ...revoked.map((k) => `  ${k.apiKey} (${k.name})`)].join(
              '\n',
            ),
      );
    });
}
