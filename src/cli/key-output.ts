/**
 * What every `signet keys` command shares: the JSON shape of a key (never a secret) and
 * its human description, and how a secret is printed (once, by create and rotate only).
 */
import { resolveSubaccount } from '../accounts/index.ts';
import { broadEntries, keyPolicyFromEnv, type ApiKey } from '../keys/index.ts';
import type { Store } from '../store/create-database.ts';

/** Commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export interface KeyJson {
  readonly apiKey: string;
  readonly name: string;
  readonly subaccount: string;
  readonly readOnly: boolean;
  readonly permissions: readonly string[];
  readonly allowedIps: readonly string[];
  readonly expiresAt: string | null;
  readonly createdAt: string;
}

/** The JSON shape of a key in every keys command (never a secret). */
export function keyJson(key: ApiKey, subaccount: string): KeyJson {
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

export async function subaccountName(db: Store, key: ApiKey): Promise<string> {
  return (await resolveSubaccount(db, key.userId, { id: key.subaccountId })).name;
}

export function describeControls(key: KeyJson): string {
  return [
    `Name: ${key.name}  Subaccount: ${key.subaccount}  Permissions: ${key.permissions.join(', ')}`,
    `Allowed IPs: ${key.allowedIps.length === 0 ? 'any' : key.allowedIps.join(', ')}  Expires: ${key.expiresAt ?? 'never'}`,
  ].join('\n');
}

export function secretLines(secret: string | undefined): string[] {
  return secret === undefined
    ? []
    : [`API secret: ${secret}`, 'Save the secret now: it is not stored and cannot be shown again.'];
}

/**
 * Warns on stderr about allowlist entries broader than the operator's prefixes (SIGNET_ALLOWLIST_WARN_IPV4/6_PREFIX):
 * accepted, but a large part of the internet may use the key.
 */
export function warnBroadEntries(entries: readonly string[] | undefined): void {
  if (entries === undefined) return;
  const { broadPrefixes } = keyPolicyFromEnv(process.env);
  for (const entry of broadEntries(entries, broadPrefixes)) {
    const limit = entry.includes(':') ? broadPrefixes.ipv6 : broadPrefixes.ipv4;
    process.stderr.write(
      `signet: warning: allowlist entry ${entry} is broader than /${limit}; a large part of the internet can use this key\n`,
    );
  }
}
