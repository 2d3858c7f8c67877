/**
 * Shown once after a key is created: what the key may do (permissions, and what it may not, its subaccount,
 * allowlist and expiry), the API key and (when generated in this browser) the API secret in full, selectable,
 * with copy buttons and a `.env` download. The secret lives only in this component's props; once the dialog
 * closes it is gone for good, so closing needs an explicit "I have saved my secret".
 */
import { useRef, useState, type ReactNode } from 'react';

import type { ApiKey } from '../../api/console-api.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { keySubaccountLabel } from '../exchange/subaccount-label.ts';
import { AddressList, PermissionBadges, permissionLabel } from './key-badges.tsx';

export interface CreatedKey {
  key: ApiKey;
  /** Present only when the pair was generated in this browser. */
  secret?: string;
}

function envFile(created: CreatedKey): string {
  const lines = [
    `# Signet API key "${created.key.name}" (subaccount ${created.key.subaccountName}${created.key.readOnly ? ', read only' : ''})`,
    `# Created ${new Date(created.key.createdAt).toISOString()} at ${window.location.origin}`,
    `BACKPACK_API_URL=${window.location.origin}`,
    `BACKPACK_API_KEY=${created.key.apiKey}`,
    created.secret === undefined
      ? '# BACKPACK_API_SECRET=<the secret you generated with this public key>'
      : `BACKPACK_API_SECRET=${created.secret}`,
  ];
  return `${lines.join('\n')}\n`;
}

function fileName(created: CreatedKey): string {
  const slug =
    created.key.name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'api-key';
  return `signet-${slug}.env`;
}

export function CreatedKeyDialog({
  created,
  onClose,
}: {
  created: CreatedKey;
  onClose: () => void;
}): ReactNode {
  const { t, formatTime } = useI18n();
  const hasSecret = created.secret !== undefined;
  const [saved, setSaved] = useState(!hasSecret);
  const keyField = useRef<HTMLTextAreaElement>(null);

  const download = (): void => {
    const url = URL.createObjectURL(new Blob([envFile(created)], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName(created);
    document.body.append(link);
    link.click();
    link.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const key = created.key;
  const cannot = (['trade', 'withdraw'] as const).filter((p) => !key.permissions.includes(p));
  const summary = (
    <dl className="key-summary" aria-label={t('created.summary')}>
      <dt>{t('created.canDo')}</dt>
      <dd data-testid="created-permissions">
        <PermissionBadges permissions={key.permissions} />
        {cannot.length > 0 && (
          <span className="muted small">
            {' '}
            {t('created.cannot', { list: cannot.map((p) => permissionLabel(t, p)).join(', ') })}
          </span>
        )}
      </dd>
      <dt>{t('keys.col.subaccount')}</dt>
      <dd>{keySubaccountLabel(key, t)}</dd>
      <dt>{t('keys.col.allowedIps')}</dt>
      <dd>
        {key.allowedIps.length === 0 ? (
          <span className={key.permissions.includes('withdraw') ? 'warning-text' : undefined}>
            {t('keys.anyAddress')}
            {key.permissions.includes('withdraw') && ` — ${t('keys.withdrawAnyAddressNote')}`}
          </span>
        ) : (
          <AddressList entries={key.allowedIps} />
        )}
      </dd>
      <dt>{t('keys.col.expires')}</dt>
      <dd>{key.expiresAt === null ? t('common.never') : formatTime(key.expiresAt)}</dd>
    </dl>
  );

  const footer = (
    <button type="button" className="button button-primary" disabled={!saved} onClick={onClose}>
      {t('created.done')}
    </button>
  );

  return (
    <Dialog
      title={t('created.title')}
      wide
      onClose={saved ? onClose : undefined}
      initialFocus={keyField}
      description={
        <div
          className={hasSecret ? 'alert alert-warning' : 'alert alert-info'}
          role={hasSecret ? 'alert' : undefined}
        >
          {hasSecret ? t('created.warning') : t('created.noSecret')}
        </div>
      }
      footer={footer}
    >
      {summary}
      <div className="secret-field">
        <div className="secret-label">
          <label htmlFor="created-api-key">{t('created.apiKey')}</label>
          <CopyButton value={created.key.apiKey} what={t('created.apiKey')} />
        </div>
        <textarea
          id="created-api-key"
          ref={keyField}
          className="mono secret-value"
          readOnly
          rows={1}
          value={created.key.apiKey}
          onFocus={(event) => event.currentTarget.select()}
        />
      </div>
      {hasSecret && (
        <div className="secret-field">
          <div className="secret-label">
            <label htmlFor="created-api-secret">{t('created.apiSecret')}</label>
            <CopyButton value={created.secret as string} what={t('created.apiSecret')} />
          </div>
          <textarea
            id="created-api-secret"
            className="mono secret-value"
            readOnly
            rows={1}
            value={created.secret}
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
      )}
      <button type="button" className="button button-secondary" onClick={download}>
        {t('created.download')}
      </button>
      {hasSecret && (
        <label className="checkbox confirm-saved">
          <input type="checkbox" checked={saved} onChange={(event) => setSaved(event.target.checked)} />
          {t('created.confirm')}
        </label>
      )}
    </Dialog>
  );
}
