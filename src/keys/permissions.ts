/**
 * Key permissions: `read`, `trade`, `withdraw`, the custom ones an operator declares for gateway routes
 * (`"permissions"` in SIGNET_ROUTES, docs/GATEWAY.md), and the one table that says which permission every signed
 * Backpack instruction needs. Pure.
 *
 * Invariants: every instruction in `src/protocol/instructions.ts` maps to exactly one permission (the test walks
 * the whole instruction table); every key holds `read` (a key that cannot even read has no use, and Backpack's
 * keys always can); a stored permission set is a small bit mask so the signed-request path tests it with one `&`.
 * Threats: an instruction added to the protocol table without a row here would be unreachable, never silently
 * allowed: `requiredPermission()` answers `withdraw` (the strongest) for a name it does not know.
 *
 * Custom permissions are stored by name beside the mask (`api_keys.custom_permissions`, migration 0070), never
 * as bits: the operator's list may be reordered or shortened, and a name keeps its meaning through that. A key
 * may be given only a name the running configuration declares; a name the operator later removes stays on the
 * keys that hold it but opens nothing (no route asks for it) until it is declared again.
 */
import { AppError } from '../errors.ts';

export type Permission = 'read' | 'trade' | 'withdraw';

export const PERMISSIONS: readonly Permission[] = ['read', 'trade', 'withdraw'];

/** Bit of each permission in `api_keys.permissions`. */
export const PERMISSION_BITS: Readonly<Record<Permission, number>> = { read: 1, trade: 2, withdraw: 4 };

export const READ_ONLY_MASK = PERMISSION_BITS.read;
export const FULL_ACCESS_MASK = PERMISSION_BITS.read | PERMISSION_BITS.trade | PERMISSION_BITS.withdraw;

/**
 * The permission each instruction needs. Queries read; orders, strategies, RFQs, vaults, borrow/lend, dust
 * conversion and account settings (leverage, auto-lend) trade; moving funds out (`withdraw`) and the two-factor
 * token that Backpack issues for withdrawals withdraw.
 */
export const INSTRUCTION_PERMISSIONS: Readonly<Record<string, Permission>> = {
  accountQuery: 'read',
  accountUpdate: 'trade',
  convertDust: 'trade',
  maxBorrowQuantity: 'read',
  maxOrderQuantity: 'read',
  maxWithdrawalQuantity: 'read',
  balanceQuery: 'read',
  collateralQuery: 'read',
  depositQueryAll: 'read',
  depositAddressQuery: 'read',
  withdrawalQueryAll: 'read',
  withdraw: 'withdraw',
  positionQuery: 'read',
  borrowLendPositionQuery: 'read',
  borrowLendExecute: 'trade',
  orderQuery: 'read',
  orderExecute: 'trade',
  orderCancel: 'trade',
  orderQueryAll: 'read',
  orderCancelAll: 'trade',
  orderHistoryQueryAll: 'read',
  fillHistoryQueryAll: 'read',
  fundingHistoryQueryAll: 'read',
  borrowHistoryQueryAll: 'read',
  interestHistoryQueryAll: 'read',
  borrowPositionHistoryQueryAll: 'read',
  dustHistoryQueryAll: 'read',
  positionHistoryQueryAll: 'read',
  pnlHistoryQueryAll: 'read',
  settlementHistoryQueryAll: 'read',
  strategyHistoryQueryAll: 'read',
  rfqHistoryQueryAll: 'read',
  quoteHistoryQueryAll: 'read',
  rfqFillHistoryQueryAll: 'read',
  quoteFillHistoryQueryAll: 'read',
  vaultMintHistoryQueryAll: 'read',
  vaultRedeemHistoryQueryAll: 'read',
  strategyQuery: 'read',
  strategyCreate: 'trade',
  strategyCancel: 'trade',
  strategyQueryAll: 'read',
  strategyCancelAll: 'trade',
  rfqSubmit: 'trade',
  quoteAccept: 'trade',
  rfqRefresh: 'trade',
  rfqCancel: 'trade',
  quoteSubmit: 'trade',
  rfqQuery: 'read',
  vaultMint: 'trade',
  vaultRedeemRequest: 'trade',
  vaultRedeemCancel: 'trade',
  vaultPendingRedeemsQuery: 'read',
  vaultNavQuery: 'read',
  issueTwoFactorToken: 'withdraw',
  // The signed WebSocket SUBSCRIBE to account.* streams (STREAM_SUBSCRIBE_ROUTE): reading one's own orders.
  subscribe: 'read',
};

/** The permission `instruction` needs; `withdraw` for a name missing from the table (fail closed). */
export function requiredPermission(instruction: string): Permission {
  return Object.hasOwn(INSTRUCTION_PERMISSIONS, instruction)
    ? (INSTRUCTION_PERMISSIONS[instruction] as Permission)
    : 'withdraw';
}

export function hasPermission(mask: number, permission: Permission): boolean {
  return (mask & PERMISSION_BITS[permission]) !== 0;
}

/** The permissions in a mask, in the fixed order read, trade, withdraw. */
export function permissionsOf(mask: number): Permission[] {
  return PERMISSIONS.filter((p) => hasPermission(mask, p));
}

export function isReadOnlyMask(mask: number): boolean {
  return mask === READ_ONLY_MASK;
}

/** Read-only: `read` alone, no custom permission either. */
export function isReadOnly(mask: number, custom: readonly string[]): boolean {
  return mask === READ_ONLY_MASK && custom.length === 0;
}

/**
 * A name an operator may declare: a lowercase letter, then up to 31 lowercase letters, digits, `_` or `-`; never a
 * built-in name. Safe in a comma-separated column, a header value and a URL.
 */
export const CUSTOM_PERMISSION_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
export const MAX_CUSTOM_PERMISSIONS = 32;

export function isBuiltInPermission(name: string): name is Permission {
  return (PERMISSIONS as readonly string[]).includes(name);
}

/** The custom names of a stored `custom_permissions` column, in their stored (sorted) order. */
export function customPermissionsOfStored(stored: string | null): string[] {
  return stored === null || stored === '' ? [] : stored.split(',');
}

/** Custom names as stored: sorted, without repeats, comma-separated; null for none. */
export function formatStoredCustomPermissions(names: readonly string[]): string | null {
  return names.length === 0 ? null : [...new Set(names)].sort().join(',');
}

/** Every permission a key holds: the built-ins in their fixed order, then its custom ones. */
export function permissionNames(mask: number, custom: readonly string[]): string[] {
  return [...permissionsOf(mask), ...custom];
}

/**
 * A permission list from a client into the built-in mask and the custom names, where `declared` lists the custom
 * names the running configuration accepts (SIGNET_ROUTES). Unknown names, an empty list, or a list without `read`
 * are 400s that say what is allowed.
 */
export function parsePermissionList(
  input: readonly string[] | string,
  declared: readonly string[] = [],
): { mask: number; custom: string[] } {
  const names = (typeof input === 'string' ? input.split(',') : input).map((p) => p.trim()).filter(Boolean);
  const allowed = [...PERMISSIONS, ...declared].join(', ');
  if (names.length === 0) {
    throw AppError.of('PERMISSIONS_INVALID', `Permissions must list at least read (${allowed})`);
  }
  let mask = 0;
  const custom = new Set<string>();
  for (const name of names) {
    if (isBuiltInPermission(name)) mask |= PERMISSION_BITS[name];
    else if (declared.includes(name)) custom.add(name);
    else {
      throw AppError.of(
        'PERMISSIONS_INVALID',
        `Unknown permission ${JSON.stringify(name.slice(0, 32))}; use ${allowed}`,
      );
    }
  }
  if (!hasPermission(mask, 'read')) {
    throw AppError.of('PERMISSIONS_INVALID', 'Every key has the read permission; add read to the list');
  }
  return { mask, custom: [...custom].sort() };
}

/** A built-in permission list from a client (console JSON array, CLI `read,trade`) as a mask (see below). */
export function parsePermissions(input: readonly string[] | string): number {
  return parsePermissionList(input).mask;
}
