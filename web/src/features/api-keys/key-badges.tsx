/**
 * Small pieces the key views share: permission badges (one colour per permission, so Trade and Withdraw are told
 * apart at a glance), an allowlist that wraps between entries and never inside one (`127.0.0.` / `1` was
 * unreadable), and a key's state with the time that matters for it (time left, when a replaced key stops).
 */
import type { ReactNode } from 'react';

import { isBuiltInPermission, type ApiKey } from '../../api/console-api.ts';
import { useI18n, type Translate } from '../../i18n/i18n.tsx';

/** A permission's name for people: the built-ins translated, the operator's own as the operator spelt them. */
export function permissionLabel(t: Translate, permission: string): string {
  return isBuiltInPermission(permission) ? t(`keys.perm.${permission}`) : permission;
}

export function PermissionBadges({ permissions }: { permissions: readonly string[] }): ReactNode {
  const { t } = useI18n();
  return (
    <span className="badges">
      {permissions.map((p) => (
        <span key={p} className={`badge ${isBuiltInPermission(p) ? `badge-perm-${p}` : 'badge-perm-custom'}`}>
          {permissionLabel(t, p)}
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

/** The state badge and the lines saying what it means now: time left, which key replaced it and when it stops. */
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
  const { t, formatTime, formatShortTime, formatDuration } = useI18n();
  const left = apiKey.expiresAt === null ? 0 : Math.max(0, apiKey.expiresAt - now);
  /** The message with its {time} as a <time> element: short in the table, the full time in its title. */
  const withTime = (
    key: 'keys.status.stoppedOn' | 'keys.status.expiresOn' | 'keys.status.revokedDetail',
    ms: number,
  ) => {
    const [before, after = ''] = t(key, { time: '\u0000' }).split('\u0000');
    return (
      <>
        {before}
        <time title={formatTime(ms)}>{formatShortTime(ms)}</time>
        {after}
      </>
    );
  };
  const lines: ReactNode[] = [];
  const replacedBy = replacement ? shortKey(replacement.apiKey) : '—';
  switch (apiKey.status) {
    case 'expiring':
      lines.push(t('keys.status.expiringDetail', { time: formatDuration(left) }));
      break;
    case 'grace':
      lines.push(t('keys.status.graceDetail', { key: replacedBy }));
      lines.push(
        t('keys.status.graceUntil', {
          time: formatShortTime(apiKey.expiresAt as number),
          left: formatDuration(left),
        }),
      );
      break;
    case 'retired':
      lines.push(t('keys.status.retiredDetail', { key: replacedBy }));
      lines.push(withTime('keys.status.stoppedOn', apiKey.expiresAt as number));
      break;
    case 'expired':
      lines.push(withTime('keys.status.stoppedOn', apiKey.expiresAt as number));
      break;
    case 'revoked':
      lines.push(withTime('keys.status.revokedDetail', apiKey.revokedAt as number));
      break;
    default:
      if (apiKey.expiresAt !== null) {
        lines.push(withTime('keys.status.expiresOn', apiKey.expiresAt));
      }
  }
  if (predecessor) lines.push(t('keys.status.replaces', { key: shortKey(predecessor.apiKey) }));
  return (
    <>
      <span className={STATUS_CLASS[apiKey.status]}>{t(`keys.status.${apiKey.status}`)}</span>
      {lines.map((line, i) => (
        <span key={i} className="secondary-line">
          {line}
        </span>
      ))}
    </>
  );
}

export function shortKey(apiKey: string): string {
  return `${apiKey.slice(0, 6)}…${apiKey.slice(-6)}`;
}
