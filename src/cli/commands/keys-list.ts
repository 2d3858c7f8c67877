/**
 * `signet keys list --email E`: a user's keys with permissions, allowlist, expiry, status and last use (never a
 * secret).
 * Operator command: it works on the database directly and needs no TOTP code.
 */
import type { Command } from 'commander';

import { listSubaccounts, requireUserByEmail } from '../../accounts/index.ts';
import { listApiKeys } from '../../keys/index.ts';
import { iso, keyJson } from '../key-output.ts';
import { databaseOption, formatTime, printResult, withStore } from '../output.ts';

export function registerKeysList(keys: Command): void {
  keys
    .command('list')
    .description("list a user's API keys with permissions, allowlist, expiry and last use (never a secret)")
    .requiredOption('--email <email>', "the owner's email")
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (options: { email: string; database?: string; json?: boolean }) => {
      const now = Date.now();
      const rows = await withStore(options, async (db) => {
        const user = await requireUserByEmail(db, options.email);
        const subs = new Map((await listSubaccounts(db, user.id)).map((s) => [s.id, s.name]));
        return (await listApiKeys(db, user.id)).map((k) => ({
          ...keyJson(k, subs.get(k.subaccountId) ?? ''),
          status:
            k.revokedAt !== null
              ? 'revoked'
              : k.expiresAt !== null && now >= k.expiresAt
                ? 'expired'
                : 'active',
          revokedAt: iso(k.revokedAt),
          lastUsedAt: iso(k.lastUsedAt),
          lastUsedIp: k.lastUsedIp,
        }));
      });
      printResult(options, rows, () =>
        rows.length === 0
          ? 'No API keys.'
          : [
              [
                'API KEY',
                'NAME',
                'SUBACCOUNT',
                'PERMISSIONS',
                'ALLOWED IPS',
                'EXPIRES',
                'STATUS',
                'LAST USE',
              ].join('\t'),
              ...rows.map((k) =>
                [
                  k.apiKey,
                  k.name,
                  k.subaccount,
                  k.permissions.join(','),
                  k.allowedIps.length === 0 ? 'any' : k.allowedIps.join(','),
                  k.expiresAt ?? 'never',
                  k.status,
                  k.lastUsedAt ? `${formatTime(Date.parse(k.lastUsedAt))} from ${k.lastUsedIp ?? '?'}` : '-',
                ].join('\t'),
              ),
            ].join('\n'),
      );
    });
}
