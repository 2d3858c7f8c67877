/**
 * Small pieces the key views share: permission badges (one colour per permission, so Trade and Withdraw are told
 * apart at a glance), an allowlist that wraps between entries and never inside one (`127.0.0.` / `1` was
 * unreadable), and a key's state with the time that matters for it (time left, when a replaced key stops).
 */
import type { ReactNode } from 'react';

import type { ApiKey, Permission } from '../../api/console-api.ts';
import { useI18n } from '../../i18n/i18n.tsx';

export function PermissionBadges({ permissions }: { permissions: readonly Permission[] }): ReactNode {
  const { t } = useI18n();
  return (
    <span className="badges">
      {permissions.map((p) => (
        <span key={p} className={`badge badge-perm-${p}`}>
          {t(`keys.perm.${p}`)}
        </span>
      ))}
    </span>
  );
}

export function AddressList({ entries }: { entries: readonly string[] }): ReactNode {
  return (
    <ul className="address-entries">
      {entries.map((entry) => (
        <li key={entry} className="mono">
          {entry}
        </li>
      ))}
    </ul>
  );
}

/** A key that can withdraw and has no allowlist: anyone holding its secret can withdraw from anywhere. */
export function withdrawsFromAnyAddress(key: Pick<ApiKey, 'permissions' | 'allowedIps' | 'status'>): boolean {
  return (
    key.permissions.includes('withdraw') &&
    key.allowedIps.length === 0 &&
    (key.status === 'active' || key.status === 'expiring' || key.status === 'grace')
  );
}

const STATUS_CLASS: Record<ApiKey['status'], string> = {
  active: 'badge badge-success',
  expiring: 'badge badge-warning',
  grace: 'badge badge-info',
  expired: 'badge badge-neutral',
  retired: 'badge badge-neutral',
  revoked: 'badge badge-danger',
};

/** The state badge and one line saying what it means now. `replacement` names the key that replaced this one. */
export function KeyStatus({
  apiKey,
  now,
  replacement,
  predecessor,
}: {
  apiKey: ApiKey;
  now: number;
  replacement?: ApiKey;
  predecessor?: ApiKey;
}): ReactNode {
  const { t, formatTime, formatDuration } = useI18n();
  const left = apiKey.expiresAt === null ? 0 : Math.max(0, apiKey.expiresAt - now);
  let detail: string | undefined;
  switch (apiKey.status) {
    case 'expiring':
      detail = t('keys.status.expiringDetail', { time: formatDuration(left) });
      break;
    case 'grace':
      detail = t('keys.status.graceDetail', {
        key: replacement ? shortKey(replacement.apiKey) : '—',
        time: formatTime(apiKey.expiresAt as number),
        left: formatDuration(left),
      });
      break;
    case 'retired':
      detail = t('keys.status.retiredDetail', {
        key: replacement ? shortKey(replacement.apiKey) : '—',
        time: formatTime(apiKey.expiresAt as number),
      });
      break;
    case 'expired':
      detail = t('keys.status.expiredDetail', { time: formatTime(apiKey.expiresAt as number) });
      break;
    case 'revoked':
      detail = t('keys.status.revokedDetail', { time: formatTime(apiKey.revokedAt as number) });
      break;
    default:
      detail =
        apiKey.expiresAt === null
          ? undefined
          : t('keys.status.expiresOn', { time: formatTime(apiKey.expiresAt) });
  }
  return (
    <>
      <span className={STATUS_CLASS[apiKey.status]}>{t(`keys.status.${apiKey.status}`)}</span>
      {detail && <span className="secondary-line">{detail}</span>}
      {predecessor && (
        <span className="secondary-line">
          {t('keys.status.replaces', { key: shortKey(predecessor.apiKey) })}
        </span>
      )}
    </>
  );
}

export function shortKey(apiKey: string): string {
  return `${apiKey.slice(0, 6)}…${apiKey.slice(-6)}`;
}
