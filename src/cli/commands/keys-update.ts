/**
 * `signet keys update API_KEY [--name N] [--permissions P] [--allow-ip CIDR]... [--clear-allow-ip] [--expires ..]`:
 * changes a key's controls; effective on its next request (the key cache is invalidated by the service).
 * Operator command: it works on the database directly and needs no TOTP code.
 */
import type { Command } from 'commander';

import { keyPolicyFromEnv, updateApiKey } from '../../keys/index.ts';
import { collect, describeControls, warnBroadEntries, keyJson, subaccountName } from '../key-output.ts';
import { declaredPermissionsFromEnv } from '../../gateway/index.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerKeysUpdate(keys: Command): void {
  keys
    .command('update')
    .description("change a key's name, permissions, IP allowlist or expiry (effective on its next request)")
    .argument('<apiKey>', 'the API key (base64 public key)')
    .option('--name <name>', 'new name')
    .option(
      '--permissions <list>',
      'comma-separated: read,trade,withdraw and the custom ones SIGNET_ROUTES declares',
    )
    .option('--allow-ip <cidr>', 'replace the allowlist with these entries (repeat, up to 30)', collect)
    .option(
      '--allow-any-address',
      'confirm --allow-ip entries that allow every address (0.0.0.0/0, ::/0, or ranges that add up to them)',
    )
    .option('--clear-allow-ip', 'remove the allowlist: any address')
    .option('--expires <when>', 'ISO-8601 date or date-time with a zone, or never')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(
      async (
        apiKey: string,
        options: {
          name?: string;
          permissions?: string;
          allowIp?: string[];
          allowAnyAddress?: boolean;
          clearAllowIp?: boolean;
          expires?: string;
          database?: string;
          json?: boolean;
        },
      ) => {
        if (options.clearAllowIp && options.allowIp) {
          throw Object.assign(new Error('Use either --allow-ip or --clear-allow-ip'), { exitCode: 2 });
        }
        const view = await withStore(options, async (db) => {
          const key = await updateApiKey(db, {
            key: apiKey,
            name: options.name,
            permissions: options.permissions,
            // The custom permissions of the same route file the server reads (SIGNET_ROUTES).
            declaredPermissions: declaredPermissionsFromEnv(process.env),
            allowedIps: options.clearAllowIp ? null : options.allowIp,
            allowAnyAddress: options.allowAnyAddress,
            expiresAt: options.expires,
            withdrawRequiresAllowlist: keyPolicyFromEnv(process.env).withdrawRequiresAllowlist,
          });
          return keyJson(key, await subaccountName(db, key));
        });
        warnBroadEntries(options.allowIp);
        printResult(options, view, () => [`Updated ${view.apiKey}`, describeControls(view)].join('\n'));
      },
    );
}
