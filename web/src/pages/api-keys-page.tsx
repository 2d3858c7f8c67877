/**
 * Settings → API Keys: the keys (a table on wide screens, cards on a phone — one DOM, CSS decides), New API Key,
 * and per key: Usage, Edit, Rotate, Revoke; Revoke all for a compromised machine. Each key shows its permissions,
 * allowlist, expiry (with a warning within 7 days) and last use. After a change, a visible notice that screen
 * readers announce (role="status") takes the focus, so nobody is left on a button that no longer exists.
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { consoleApi, type ApiKey } from '../api/console-api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { LoadState } from '../components/load-state.tsx';
import { CreatedKeyDialog, type CreatedKey } from '../features/api-keys/created-key-dialog.tsx';
import { EditKeyDialog } from '../features/api-keys/edit-key-dialog.tsx';
import { KeyUsageDialog } from '../features/api-keys/key-usage-dialog.tsx';
import { NewApiKeyDialog } from '../features/api-keys/new-api-key-dialog.tsx';
import { RevokeAllDialog } from '../features/api-keys/revoke-all-dialog.tsx';
import { RevokeKeyDialog } from '../features/api-keys/revoke-key-dialog.tsx';
import { RotateKeyDialog } from '../features/api-keys/rotate-key-dialog.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useResource } from '../use-resource.ts';

const WEEK_MS = 7 * 24 * 3600_000;

function shorten(apiKey: string): string {
  return `${apiKey.slice(0, 6)}…${apiKey.slice(-6)}`;
}

type Action = { kind: 'edit' | 'rotate' | 'revoke' | 'usage'; key: ApiKey } | { kind: 'revoke-all' };

export function ApiKeysPage(): ReactNode {
  const { t, formatTime } = useI18n();
  const keys = useResource(consoleApi.listKeys);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey>();
  const [action, setAction] = useState<Action>();
  const [notice, setNotice] = useState<string>();
  const [showRevoked, setShowRevoked] = useState(false);
  const noticeRef = useRef<HTMLDivElement>(null);
  const now = Date.now();

  useEffect(() => {
    if (notice) noticeRef.current?.focus();
  }, [notice]);

  const all = keys.data ?? [];
  const isLive = (key: ApiKey) => key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);
  const visible = showRevoked ? all : all.filter(isLive);
  const hiddenCount = all.length - all.filter(isLive).length;

  const done = (message: string) => {
    setAction(undefined);
    setNotice(message);
    keys.reload();
  };

  return (
    <section className="page" aria-labelledby="api-keys-title">
      <div className="page-header">
        <div>
          <h1 id="api-keys-title">{t('keys.title')}</h1>
          <p className="muted">{t('keys.description')}</p>
        </div>
        <div className="page-actions">
          {all.some(isLive) && (
            <button
              type="button"
              className="button button-danger-ghost"
              onClick={() => setAction({ kind: 'revoke-all' })}
            >
              {t('keys.revokeAll')}
            </button>
          )}
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            {t('keys.new')}
          </button>
        </div>
      </div>

      <div
        ref={noticeRef}
        role="status"
        tabIndex={-1}
        className={notice ? 'alert alert-success notice' : 'visually-hidden'}
      >
        {notice}
      </div>

      <LoadState loading={keys.loading && !keys.data} error={keys.error} onRetry={keys.reload} />

      {keys.data && (
        <div className="card">
          {hiddenCount > 0 && (
            <label className="checkbox table-filter">
              <input
                type="checkbox"
                checked={showRevoked}
                onChange={(event) => setShowRevoked(event.target.checked)}
              />
              {t('keys.showRevoked')} ({hiddenCount})
            </label>
          )}
          {visible.length === 0 ? (
            <p className="empty">{t('keys.empty')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table table-cards" aria-label={t('keys.tableLabel')}>
                <thead>
                  <tr>
                    <th scope="col">{t('keys.col.name')}</th>
                    <th scope="col">{t('keys.col.apiKey')}</th>
                    <th scope="col">{t('keys.col.permission')}</th>
                    <th scope="col">{t('keys.col.allowedIps')}</th>
                    <th scope="col">{t('keys.col.expires')}</th>
                    <th scope="col">{t('keys.col.lastUsed')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('keys.col.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {visible.map((key) => {
                    const live = isLive(key);
                    const expiringSoon = live && key.expiresAt !== null && key.expiresAt - now < WEEK_MS;
                    return (
                      <tr key={key.id} data-key-id={key.id} className={live ? undefined : 'row-revoked'}>
                        <th scope="row">
                          {key.name}
                          <span className="secondary-line">{key.subaccountName}</span>
                        </th>
                        <td data-label={t('keys.col.apiKey')} className="nowrap">
                          <span className="key-cell">
                            <code title={key.apiKey}>{shorten(key.apiKey)}</code>
                            <CopyButton
                              value={key.apiKey}
                              what={`${t('keys.col.apiKey')} ${key.name}`}
                              compact
                            />
                          </span>
                        </td>
                        <td data-label={t('keys.col.permission')}>
                          <span className="badges">
                            {key.permissions.map((p) => (
                              <span
                                key={p}
                                className={p === 'read' ? 'badge badge-neutral' : 'badge badge-accent'}
                              >
                                {t(`keys.perm.${p}`)}
                              </span>
                            ))}
                          </span>
                        </td>
                        <td data-label={t('keys.col.allowedIps')} className="small">
                          {key.allowedIps.length === 0 ? (
                            <span className="muted">{t('keys.anyAddress')}</span>
                          ) : (
                            <span className="mono break">{key.allowedIps.join(', ')}</span>
                          )}
                        </td>
                        <td data-label={t('keys.col.expires')} className="nowrap">
                          {key.expiresAt === null ? (
                            <span className="muted">{t('common.never')}</span>
                          ) : (
                            <>
                              {formatTime(key.expiresAt)}
                              {expiringSoon && (
                                <span className="secondary-line warning-text">{t('keys.expiresSoon')}</span>
                              )}
                              {key.revokedAt === null && !live && (
                                <span className="badge badge-danger">{t('keys.expired')}</span>
                              )}
                            </>
                          )}
                        </td>
                        <td data-label={t('keys.col.lastUsed')} className="nowrap">
                          {key.lastUsedAt === null ? (
                            <span className="muted">{t('common.never')}</span>
                          ) : (
                            <>
                              {formatTime(key.lastUsedAt)}
                              {key.lastUsedIp && (
                                <span className="secondary-line">
                                  {t('keys.lastUsedFrom', { ip: key.lastUsedIp })}
                                </span>
                              )}
                            </>
                          )}
                        </td>
                        <td className="actions">
                          <div className="row-actions">
                            <button
                              type="button"
                              className="button button-ghost button-small"
                              aria-label={`${t('keys.usage')} ${key.name}`}
                              onClick={() => setAction({ kind: 'usage', key })}
                            >
                              {t('keys.usage')}
                            </button>
                            {live && (
                              <>
                                <button
                                  type="button"
                                  className="button button-ghost button-small"
                                  aria-label={`${t('keys.edit')} ${key.name}`}
                                  onClick={() => setAction({ kind: 'edit', key })}
                                >
                                  {t('keys.edit')}
                                </button>
                                <button
                                  type="button"
                                  className="button button-ghost button-small"
                                  aria-label={`${t('keys.rotate')} ${key.name}`}
                                  onClick={() => setAction({ kind: 'rotate', key })}
                                >
                                  {t('keys.rotate')}
                                </button>
                                <button
                                  type="button"
                                  className="button button-danger-ghost button-small"
                                  aria-label={`${t('keys.revoke')} ${key.name}`}
                                  onClick={() => setAction({ kind: 'revoke', key })}
                                >
                                  {t('keys.revoke')}
                                </button>
                              </>
                            )}
                            {key.revokedAt !== null && (
                              <span className="badge badge-danger">{t('keys.revoked')}</span>
                            )}
                          </div>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}

      {creating && (
        <NewApiKeyDialog
          onClose={() => setCreating(false)}
          onCreated={(result) => {
            setCreating(false);
            setCreated(result);
            keys.reload();
          }}
        />
      )}
      {created && <CreatedKeyDialog created={created} onClose={() => setCreated(undefined)} />}
      {action?.kind === 'revoke' && (
        <RevokeKeyDialog
          apiKey={action.key}
          onClose={() => setAction(undefined)}
          onRevoked={() => done(t('keys.revokedNotice', { name: action.key.name }))}
        />
      )}
      {action?.kind === 'edit' && (
        <EditKeyDialog
          apiKey={action.key}
          onClose={() => setAction(undefined)}
          onSaved={(key) => done(t('keys.updatedNotice', { name: key.name }))}
        />
      )}
      {action?.kind === 'rotate' && (
        <RotateKeyDialog
          apiKey={action.key}
          onClose={() => setAction(undefined)}
          onRotated={(result) => {
            setAction(undefined);
            setCreated(result);
            keys.reload();
          }}
        />
      )}
      {action?.kind === 'usage' && (
        <KeyUsageDialog apiKey={action.key} onClose={() => setAction(undefined)} />
      )}
      {action?.kind === 'revoke-all' && (
        <RevokeAllDialog
          onClose={() => setAction(undefined)}
          onRevoked={(count) => done(t('keys.revokedAllNotice', { count }))}
        />
      )}
    </section>
  );
}
