/** Settings → API Keys: the table of keys, New API Key, and revocation with confirmation. */
import { useState, type ReactNode } from 'react';

import { consoleApi, type ApiKey } from '../api/console-api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { LoadState } from '../components/load-state.tsx';
import { CreatedKeyDialog, type CreatedKey } from '../features/api-keys/created-key-dialog.tsx';
import { NewApiKeyDialog } from '../features/api-keys/new-api-key-dialog.tsx';
import { RevokeKeyDialog } from '../features/api-keys/revoke-key-dialog.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useResource } from '../use-resource.ts';

function shorten(apiKey: string): string {
  return `${apiKey.slice(0, 6)}…${apiKey.slice(-6)}`;
}

export function ApiKeysPage(): ReactNode {
  const { t, formatTime } = useI18n();
  const keys = useResource(consoleApi.listKeys);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey>();
  const [revoking, setRevoking] = useState<ApiKey>();
  const [showRevoked, setShowRevoked] = useState(false);

  const all = keys.data ?? [];
  const visible = showRevoked ? all : all.filter((key) => key.revokedAt === null);
  const revokedCount = all.length - all.filter((key) => key.revokedAt === null).length;

  return (
    <section className="page" aria-labelledby="api-keys-title">
      <div className="page-header">
        <div>
          <h1 id="api-keys-title">{t('keys.title')}</h1>
          <p className="muted">{t('keys.description')}</p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          {t('keys.new')}
        </button>
      </div>

      <LoadState loading={keys.loading && !keys.data} error={keys.error} onRetry={keys.reload} />

      {keys.data && (
        <div className="card">
          {revokedCount > 0 && (
            <label className="checkbox table-filter">
              <input
                type="checkbox"
                checked={showRevoked}
                onChange={(event) => setShowRevoked(event.target.checked)}
              />
              {t('keys.showRevoked')} ({revokedCount})
            </label>
          )}
          {visible.length === 0 ? (
            <p className="empty">{t('keys.empty')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table" aria-label={t('keys.tableLabel')}>
                <thead>
                  <tr>
                    <th scope="col">{t('keys.col.name')}</th>
                    <th scope="col">{t('keys.col.subaccount')}</th>
                    <th scope="col">{t('keys.col.apiKey')}</th>
                    <th scope="col">{t('keys.col.permission')}</th>
                    <th scope="col">{t('keys.col.created')}</th>
                    <th scope="col">{t('keys.col.lastUsed')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('keys.col.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {visible.map((key) => (
                    <tr
                      key={key.id}
                      data-key-id={key.id}
                      className={key.revokedAt === null ? undefined : 'row-revoked'}
                    >
                      <th scope="row">{key.name}</th>
                      <td>{key.subaccountName}</td>
                      <td className="nowrap">
                        <span className="key-cell">
                          <code title={key.apiKey}>{shorten(key.apiKey)}</code>
                          <CopyButton
                            value={key.apiKey}
                            what={`${t('keys.col.apiKey')} ${key.name}`}
                            compact
                          />
                        </span>
                      </td>
                      <td>
                        <span className={key.readOnly ? 'badge badge-neutral' : 'badge badge-accent'}>
                          {key.readOnly ? t('keys.readOnly') : t('keys.full')}
                        </span>
                      </td>
                      <td className="nowrap">{formatTime(key.createdAt)}</td>
                      <td className="nowrap">
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
                        {key.revokedAt === null ? (
                          <button
                            type="button"
                            className="button button-danger-ghost button-small"
                            aria-label={`${t('keys.revoke')} ${key.name}`}
                            onClick={() => setRevoking(key)}
                          >
                            {t('keys.revoke')}
                          </button>
                        ) : (
                          <span className="badge badge-danger">{t('keys.revoked')}</span>
                        )}
                      </td>
                    </tr>
                  ))}
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
      {revoking && (
        <RevokeKeyDialog
          apiKey={revoking}
          onClose={() => setRevoking(undefined)}
          onRevoked={() => {
            setRevoking(undefined);
            keys.reload();
          }}
        />
      )}
    </section>
  );
}
