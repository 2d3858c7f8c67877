/**
 * The outcomes a key's usage is counted by, in the order the chart stacks them (succeeded at the bottom), each
 * with its label and its colour (a CSS custom property of styles.css): shared by the chart, its legend and its
 * table, so all three name and colour an outcome alike.
 */
import type { UsageCounts } from '../../api/console-api.ts';
import type { MessageKey } from '../../i18n/en.ts';

export const USAGE_LAYERS: ReadonlyArray<{ field: keyof UsageCounts; label: MessageKey; color: string }> = [
  { field: 'ok', label: 'usage.ok', color: '--chart-ok' },
  { field: 'badSignature', label: 'usage.reason.bad_signature', color: '--chart-signature' },
  { field: 'expiredWindow', label: 'usage.reason.expired_window', color: '--chart-window' },
  { field: 'ipNotAllowed', label: 'usage.reason.ip_not_allowed', color: '--chart-address' },
  { field: 'permission', label: 'usage.reason.permission', color: '--chart-permission' },
  { field: 'keyExpired', label: 'usage.reason.key_expired', color: '--chart-expired' },
  { field: 'keyRetired', label: 'usage.reason.key_retired', color: '--chart-retired' },
  { field: 'keyRevoked', label: 'usage.reason.key_revoked', color: '--chart-revoked' },
  { field: 'invalidKey', label: 'usage.reason.invalid_key', color: '--chart-revoked' },
];

export const refusedOf = (c: UsageCounts): number =>
  USAGE_LAYERS.reduce((sum, { field }) => (field === 'ok' ? sum : sum + c[field]), 0);
