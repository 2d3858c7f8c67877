/**
 * `signet keys create|list|update|rotate|revoke|revoke-all`. `create` and `rotate` without `--public-key` generate
 * the pair here and print the secret once; Signet keeps only the public key. With `--public-key`, no secret exists
 * on this side at all. Operator commands: they work on the database directly and need no TOTP code.
 */
import type { Command } from 'commander';

import { listSubaccounts, requireUserByEmail, resolveSubaccount } from '../../accounts/index.ts';
import {
  createApiKey,
  listApiKeys,
  parseGracePeriod,
  revokeAllApiKeys,
  revokeApiKey,
  rotateApiKey,
  updateApiKey,
  type ApiKey,
} from '../../keys/index.ts';
import type { Store } from '../../store/create-database.ts';
import { formatTime, printResult, withStore } from '../output.ts';

const databaseOption = [
  '--database <url>',
  'SQLite path or postgres:// URL (default: $DATABASE_URL or data/signet.db)',
] as const;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The JSON shape of a key in every keys command (never a secret). */
function keyJson(key: ApiKey, subaccount: string) {
  return {
    apiKey: key.apiKey,
    name: key.name,
    subaccount,
    readOnly: key.readOnly,
    permissions: key.permissions,
    allowedIps: key.allowedIps,
    expiresAt: iso(key.expiresAt),
    createdAt: new Date(key.createdAt).toISOString(),
  };
}

async function subaccountName(db: Store, key: ApiKey): Promise<string> {
  return (await resolveSubaccount(db, key.userId, { id: key.subaccountId })).name;
}

function describeControls(key: ReturnType<typeof keyJson>): string {
  return [
    `Name: ${key.name}  Subaccount: ${key.subaccount}  Permissions: ${key.permissions.join(', ')}`,
    `Allowed IPs: ${key.allowedIps.length === 0 ? 'any' : key.allowedIps.join(', ')}  Expires: ${key.expiresAt ?? 'never'}`,
  ].join('\n');
}

function secretLines(secret: string | undefined): string[] {
  return secret === undefined
    ? []
    : [`API secret: ${secret}`, 'Save the secret now: it is not stored and cannot be shown again.'];
}

export function registerKeyCommands(keys: Command): void {
  keys
    .command('create')
    .description('create an API key for a subaccount')
    .requiredOption('--email <email>', "the owner's email")
    .requiredOption('--name <name>', 'key name (1-64 printable characters)')
    .option('--subaccount <name>', 'subaccount name (default: the main account)')
    .option('--read-only', 'view-only access: same as --permissions read')
    .option('--permissions <list>', 'comma-separated: read,trade,withdraw (default: all three)')
    .option('--allow-ip <cidr>', 'only from this IPv4/IPv6 address or CIDR range (repeat, up to 30)', collect)
    .option('--allow-any-address', 'confirm a 0.0.0.0/0 or ::/0 --allow-ip entry')
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
            allowedIps: options.allowIp,
            allowAnyAddress: options.allowAnyAddress,
            expiresAt: options.expires,
            publicKey: options.publicKey,
          });
          const subs = await listSubaccounts(db, user.id);
          return { ...created, subaccount: subs.find((s) => s.id === created.key.subaccountId)?.name ?? '' };
        });
        const view = keyJson(key, subaccount);
        const { apiKey, ...rest } = view;
        const out = { apiKey, ...(secret === undefined ? {} : { secret }), ...rest };
        printResult(options, out, () =>
          [`API key:    ${key.apiKey}`, ...secretLines(secret), describeControls(view)].join('\n'),
        );
      },
    );

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

  keys
    .command('update')
    .description("change a key's name, permissions, IP allowlist or expiry (effective on its next request)")
    .argument('<apiKey>', 'the API key (base64 public key)')
    .option('--name <name>', 'new name')
    .option('--permissions <list>', 'comma-separated: read,trade,withdraw')
    .option('--allow-ip <cidr>', 'replace the allowlist with these entries (repeat, up to 30)', collect)
    .option('--allow-any-address', 'confirm a 0.0.0.0/0 or ::/0 --allow-ip entry')
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
            allowedIps: options.clearAllowIp ? null : options.allowIp,
            allowAnyAddress: options.allowAnyAddress,
            expiresAt: options.expires,
          });
          return keyJson(key, await subaccountName(db, key));
        });
        printResult(options, view, () => [`Updated ${view.apiKey}`, describeControls(view)].join('\n'));
      },
    );

  keys
    .command('rotate')
    .description(
      'make a new key with the same settings; the old one works for the grace period, then expires',
    )
    .argument('<apiKey>', 'the API key to replace (base64 public key)')
    .requiredOption('--grace <duration>', 'how long the old key keeps working: 0, 1h, 24h or 7d')
    .option('--public-key <base64>', "the new key's public key; no secret is generated")
    .option(...databaseOption)
    .option('--json', 'print JSON')
    .action(
      async (
        apiKey: string,
        options: { grace: string; publicKey?: string; database?: string; json?: boolean },
      ) => {
        const graceMs = parseGracePeriod(options.grace);
        const { rotated, subaccount } = await withStore(options, async (db) => {
          const result = await rotateApiKey(db, { key: apiKey, graceMs, publicKey: options.publicKey });
          return { rotated: result, subaccount: await subaccountName(db, result.key) };
        });
        const view = keyJson(rotated.key, subaccount);
        const { apiKey: newKey, ...rest } = view;
        const out = {
          apiKey: newKey,
          ...(rotated.secret === undefined ? {} : { secret: rotated.secret }),
          ...rest,
          oldApiKey: rotated.old.apiKey,
          oldExpiresAt: iso(rotated.old.expiresAt),
        };
        printResult(options, out, () =>
          [
            `API key:    ${newKey}`,
            ...secretLines(rotated.secret),
            describeControls(view),
            `The old key ${rotated.old.apiKey} stops working at ${iso(rotated.old.expiresAt)}.`,
          ].join('\n'),
        );
      },
    );

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
