/**
 * A key's controls (permissions, IP allowlist, expiry) as clients state them, validated into what is stored, and
 * the comparison that tells whether an edit widens what a key can do. Pure: `now` is a parameter.
 *
 * Widening (what needs the account's TOTP code when it has 2FA): a permission added; an allowlist entry added, or
 * the list removed (any address); an expiry later than before, or removed (never). Narrowing and renaming do not
 * widen: a person locking a key down in a hurry should not be slowed by it.
 */
import { AppError } from '../errors.ts';
import { formatStoredAllowlist, parseAllowlist } from './ip-allowlist.ts';
import {
  customPermissionsOfStored,
  formatStoredCustomPermissions,
  FULL_ACCESS_MASK,
  parsePermissionList,
  permissionsOf,
  READ_ONLY_MASK,
} from './permissions.ts';

export interface KeyControls {
  /** Permission bit mask. */
  permissions: number;
  /** Stored custom permission names (sorted, comma-separated), or null for none (permissions.ts). */
  customPermissions: string | null;
  /** Stored allowlist text, or null for any address. */
  allowedIps: string | null;
  expiresAt: number | null;
}

export interface KeyControlsInput {
  /** The seed's toggle: `read` alone. */
  readOnly?: boolean;
  /** `['read', 'trade']` or `'read,trade'`; overrides the default that `readOnly` picks. */
  permissions?: readonly string[] | string;
  /** The custom permission names the running configuration declares (SIGNET_ROUTES); none when absent. */
  declaredPermissions?: readonly string[];
  /** Addresses and CIDR ranges; empty or absent = any address. */
  allowedIps?: readonly string[];
  /** Confirms a `0.0.0.0/0` or `::/0` entry. */
  allowAnyAddress?: boolean;
}

/**
 * Permissions from the read-only toggle and an optional list; both given must agree. Custom names must be
 * declared; the default (no list) holds none.
 */
export function resolvePermissions(input: {
  readOnly?: boolean;
  permissions?: readonly string[] | string;
  defaultPermissions?: number;
  declaredPermissions?: readonly string[];
}): Pick<KeyControls, 'permissions' | 'customPermissions'> {
  if (input.permissions === undefined) {
    const mask = input.readOnly ? READ_ONLY_MASK : (input.defaultPermissions ?? FULL_ACCESS_MASK);
    return { permissions: mask, customPermissions: null };
  }
  const { mask, custom } = parsePermissionList(input.permissions, input.declaredPermissions);
  if (input.readOnly && (mask !== READ_ONLY_MASK || custom.length > 0)) {
    throw AppError.of('PERMISSIONS_INVALID', 'A read-only key has the read permission only');
  }
  return { permissions: mask, customPermissions: formatStoredCustomPermissions(custom) };
}

export function resolveAllowlist(
  entries: readonly string[] | undefined,
  allowAnyAddress?: boolean,
): string | null {
  if (entries === undefined) return null;
  return formatStoredAllowlist(parseAllowlist(entries, { allowAnyAddress: allowAnyAddress === true }));
}

/** What an edit widens, as human-readable items ([] = nothing, no 2FA needed). */
export function describeWidening(before: KeyControls, after: KeyControls): string[] {
  const widened: string[] = [];
  for (const permission of permissionsOf(after.permissions & ~before.permissions)) {
    widened.push(`permission ${permission}`);
  }
  const held = new Set(customPermissionsOfStored(before.customPermissions));
  for (const permission of customPermissionsOfStored(after.customPermissions)) {
    if (!held.has(permission)) widened.push(`permission ${permission}`);
  }
  if (after.allowedIps !== before.allowedIps && before.allowedIps !== null) {
    if (after.allowedIps === null) widened.push('any address');
    else {
      const old = new Set(before.allowedIps.split(','));
      for (const entry of after.allowedIps.split(',')) if (!old.has(entry)) widened.push(`address ${entry}`);
    }
  }
  if (before.expiresAt !== null && (after.expiresAt === null || after.expiresAt > before.expiresAt)) {
    widened.push('a later expiry');
  }
  return widened;
}

export const GRACE_PERIODS: Readonly<Record<string, number>> = {
  '0': 0,
  '1h': 3600_000,
  '24h': 24 * 3600_000,
  '7d': 7 * 24 * 3600_000,
};

/** A rotation's grace period: `0`, `1h`, `24h` or `7d`. */
export function parseGracePeriod(text: string): number {
  if (!Object.hasOwn(GRACE_PERIODS, text)) {
    throw AppError.of('GRACE_INVALID', 'Grace period must be one of 0, 1h, 24h, 7d');
  }
  return GRACE_PERIODS[text] as number;
}
