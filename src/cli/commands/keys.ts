/**
 * `signet keys create|list|revoke`. `create` without `--public-key` generates the pair here and prints the secret
 * once; Signet keeps only the public key. With `--public-key`, no secret exists on this side at all.
 */
import type { Command } from 'commander';

import { listSubaccounts, requireUserByEmail } from '../../accounts/accounts-service.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../keys/keys-service.ts';
import { formatTime, printResult, withStore } from '../output.ts';

const databaseOption = [
  '--database <url>',
  'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)',
] as const;

export function registerKeyCommands(keys: Command): void {
  keys
    .command('create')
    .description('create an API key for a subaccount')
    .requiredOption('--email <email>', "the owner's email")
    .requiredOption('--name <name>', 'key name (1-64 printable characters)')
    .option('--subaccount <name>', 'subaccount name (default: the main account)')
    .option('--read-only', 'view-only access: query instructions only')
    .option('--public-key <base64>', 'your own base64 ED25519 public key; no secret is generated')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(
      async (options: {
        email: string;
        name: string;
        subaccount?: string;
        readOnly?: boolean;
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
            publicKey: options.publicKey,
          });
          const subs = await listSubaccounts(db, user.id);
          return { ...created, subaccount: subs.find((s) => s.id === created.key.subaccountId)?.name ?? '' };
        });
        const out = {
          apiKey: key.apiKey,
          ...(secret === undefined ? {} : { secret }),
          name: key.name,
          subaccount,
          readOnly: key.readOnly,
          createdAt: new Date(key.createdAt).toISOString(),
        };
        printResult(options, out, () =>
          [
            `API key:    ${key.apiKey}`,
            ...(secret === undefined
              ? []
              : [
                  `API secret: ${secret}`,
                  'Save the secret now: it is not stored and cannot be shown again.',
                ]),
            `Name: ${key.name}  Subaccount: ${subaccount}  Permission: ${key.readOnly ? 'read only' : 'full'}`,
          ].join('\n'),
        );
      },
    );

  keys
    .command('list')
    .description("list a user's API keys (never a secret)")
    .requiredOption('--email <email>', "the owner's email")
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (options: { email: string; database?: string; json?: boolean }) => {
      const rows = await withStore(options, async (db) => {
        const user = await requireUserByEmail(db, options.email);
        const subs = new Map((await listSubaccounts(db, user.id)).map((s) => [s.id, s.name]));
        return (await listApiKeys(db, user.id)).map((k) => ({
          apiKey: k.apiKey,
          name: k.name,
          subaccount: subs.get(k.subaccountId) ?? '',
          readOnly: k.readOnly,
          createdAt: new Date(k.createdAt).toISOString(),
          revokedAt: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
          lastUsedAt: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
          lastUsedIp: k.lastUsedIp,
        }));
      });
      printResult(options, rows, () =>
        rows.length === 0
          ? 'No API keys.'
          : rows
              .map((k) =>
                [
                  k.apiKey,
                  k.name,
                  k.subaccount,
                  k.readOnly ? 'read-only' : 'full',
                  k.revokedAt ? 'revoked' : 'active',
                  formatTime(k.lastUsedAt ? Date.parse(k.lastUsedAt) : null),
                ].join('\t'),
              )
              .join('\n'),
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<apiKey>', 'the API key (base64 public key)')
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(async (apiKey: string, options: { database?: string; json?: boolean }) => {
      const key = await withStore(options, (db) => revokeApiKey(db, { key: apiKey }));
      const out = {
        apiKey: key.apiKey,
        name: key.name,
        revokedAt: new Date(key.revokedAt ?? Date.now()).toISOString(),
      };
      printResult(options, out, () => `Revoked ${key.apiKey} (${key.name})`);
    });
}
