/**
 * `signet keys create --email E --name N [--subaccount NAME] [--read-only] [--permissions P] [--allow-ip CIDR]...
 * [--expires ISO|never] [--public-key BASE64]`: creates a key. Without --public-key the pair is generated here and the
 * secret printed once; Signet keeps only the public key. With --public-key no secret exists on this side at all.
 * Operator command: it works on the database directly and needs no TOTP code; SIGNET_MAX_KEYS_PER_USER still holds.
 */
import type { Command } from 'commander';

import { listSubaccounts, requireUserByEmail } from '../../accounts/index.ts';
import { createApiKey, keyPolicyFromEnv } from '../../keys/index.ts';
import { collect, describeControls, warnBroadEntries, keyJson, secretLines } from '../key-output.ts';
import { declaredPermissionsFromEnv } from '../../gateway/index.ts';
import { databaseOption, printResult, withStore } from '../output.ts';

export function registerKeysCreate(keys: Command): void {
  keys
    .command('create')
    .description('create an API key for a subaccount')
    .requiredOption('--email <email>', "the owner's email")
    .requiredOption('--name <name>', 'key name (1-64 printable characters)')
    .option('--subaccount <name>', 'subaccount name (default: the main account)')
    .option('--read-only', 'view-only access: same as --permissions read')
    .option(
      '--permissions <list>',
      'comma-separated: read,trade,withdraw and the custom ones SIGNET_ROUTES declares (default: read,trade,withdraw, as Backpack; with SIGNET_WITHDRAW_REQUIRES_ALLOWLIST=on, withdraw needs --allow-ip)',
    )
    .option('--allow-ip <cidr>', 'only from this IPv4/IPv6 address or CIDR range (repeat, up to 30)', collect)
    .option(
      '--allow-any-address',
      'confirm --allow-ip entries that allow every address (0.0.0.0/0, ::/0, or ranges that add up to them)',
    )
    .option('--expires <when>', 'ISO-8601 date or date-time with a zone, or never (default: never)')
    .option('--public-key <base64>', 'your own base64 ED25519 public key; no secret is generated')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(
      async (options: {
        email: string;
        name: string;
        subaccount?: string;
        readOnly?: boolean;
        permissions?: string;
        allowIp?: string[];
        allowAnyAddress?: boolean;
        expires?: string;
        publicKey?: string;
        database?: string;
        json?: boolean;
      }) => {
        const { key, secret, subaccount } = await withStore(options, async (db) => {
          const user = await requireUserByEmail(db, options.email);
          const created = await createApiKey(db, {
            userId: user.id,
            name: options.name,
            subaccountName: options.subaccount,
            readOnly: options.readOnly === true,
            permissions: options.permissions,
            // The custom permissions of the same route file the server reads (SIGNET_ROUTES).
            declaredPermissions: declaredPermissionsFromEnv(process.env),
            allowedIps: options.allowIp,
            allowAnyAddress: options.allowAnyAddress,
            expiresAt: options.expires,
            publicKey: options.publicKey,
            maxKeysPerUser: keyPolicyFromEnv(process.env).maxKeysPerUser,
            withdrawRequiresAllowlist: keyPolicyFromEnv(process.env).withdrawRequiresAllowlist,
          });
          const subs = await listSubaccounts(db, user.id);
          return { ...created, subaccount: subs.find((s) => s.id === created.key.subaccountId)?.name ?? '' };
        });
        const view = keyJson(key, subaccount);
        const { apiKey, ...rest } = view;
        const out = { apiKey, ...(secret === undefined ? {} : { secret }), ...rest };
        warnBroadEntries(options.allowIp);
        printResult(options, out, () =>
          [`API key:    ${key.apiKey}`, ...secretLines(secret), describeControls(view)].join('\n'),
        );
      },
    );
}
