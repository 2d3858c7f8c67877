/**
 * Settings → API Keys: every key with its state at a glance (active, expiring with the time left, in rotation
 * grace "replaced by …, stops at …", expired, retired by rotation, revoked: dead keys stay listed with their
 * reason), searchable and filtered by subaccount and state; compact rows (a table on wide screens, cards on a
 * phone — one DOM, CSS decides) whose allowlists wrap between entries, never inside one. Keys that can withdraw
 * from any address are flagged. Per key, one actions menu (Usage; and Edit, Rotate, Revoke while it works),
 * so a row stays narrow in every language; Revoke all for a compromised machine; New API Key.
 *
 * After a change, a notice that screen readers announce (role="status") takes the focus, so nobody is left on a
 * button that no longer exists; it clears itself after a while and at the next action, so it never goes stale.
 */
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';

import { consoleApi, type ApiKey, type KeyStatus as Status } from '../api/console-api.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { LoadState } from '../components/load-state.tsx';
import { Menu } from '../components/menu.tsx';
import { CreatedKeyDialog, type CreatedKey } from '../features/api-keys/created-key-dialog.tsx';
import { EditKeyDialog } from '../features/api-keys/edit-key-dialog.tsx';
import {
  AddressList,
  KeyStatus,
  PermissionBadges,
  shortKey,
  withdrawsFromAnyAddress,
} from '../features/api-keys/key-badges.tsx';
import { KeyUsageDialog } from '../features/api-keys/key-usage-dialog.tsx';
import { NewApiKeyDialog } from '../features/api-keys/new-api-key-dialog.tsx';
import { RevokeAllDialog } from '../features/api-keys/revoke-all-dialog.tsx';
import { RevokeKeyDialog } from '../features/api-keys/revoke-key-dialog.tsx';
import { RotateKeyDialog } from '../features/api-keys/rotate-key-dialog.tsx';
import { keySubaccountLabel } from '../features/exchange/subaccount-label.ts';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useResource } from '../use-resource.ts';

const NOTICE_MS = 8000;
const WORKING: ReadonlySet<Status> = new Set(['active', 'expiring', 'grace']);

type StateFilter = 'all' | 'working' | Status;
const STATE_FILTERS: Array<{ value: StateFilter; label: MessageKey }> = [
  { value: 'all', label: 'keys.filter.all' },
  { value: 'working', label: 'keys.filter.working' },
  { value: 'active', label: 'keys.status.active' },
  { value: 'expiring', label: 'keys.status.expiring' },
  { value: 'grace', label: 'keys.status.grace' },
  { value: 'expired', label: 'keys.status.expired' },
  { value: 'retired', label: 'keys.status.retired' },
  { value: 'revoked', label: 'keys.status.revoked' },
];

type Action = { kind: 'edit' | 'rotate' | 'revoke' | 'usage'; key: ApiKey } | { kind: 'revoke-all' };

export function ApiKeysPage(): ReactNode {
  const { t, formatTime, formatShortTime } = useI18n();
  const keys = useResource(consoleApi.listKeys);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedKey>();
  const [action, setAction] = useState<Action>();
  const [notice, setNotice] = useState<string>();
  const [query, setQuery] = useState('');
  const [subaccount, setSubaccount] = useState('');
  const [state, setState] = useState<StateFilter>('all');
  const noticeRef = useRef<HTMLDivElement>(null);
  const now = Date.now();

  useEffect(() => {
    if (!notice) return;
    noticeRef.current?.focus();
    const timer = window.setTimeout(() => setNotice(undefined), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [notice]);

  const all = useMemo(() => keys.data ?? [], [keys.data]);
  const byId = useMemo(() => new Map(all.map((key) => [key.id, key])), [all]);
  const subaccounts = useMemo(() => [...new Map(all.map((key) => [key.subaccountId, key])).values()], [all]);
  const needle = query.trim().toLowerCase();
  const visible = all.filter(
    (key) =>
      (subaccount === '' || key.subaccountId === subaccount) &&
      (state === 'all' || (state === 'working' ? WORKING.has(key.status) : key.status === state)) &&
      (needle === '' || key.name.toLowerCase().includes(needle) || key.apiKey.toLowerCase().includes(needle)),
  );
  const filtered = visible.length !== all.length;

  const act = (next: Action): void => {
    setNotice(undefined);
    setAction(next);
  };
  const done = (message: string): void => {
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
          {all.some((key) => WORKING.has(key.status)) && (
            <button
              type="button"
              className="button button-danger-ghost"
              onClick={() => act({ kind: 'revoke-all' })}
            >
              {t('keys.revokeAll')}
            </button>
          )}
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setNotice(undefined);
              setCreating(true);
            }}
          >
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
          {all.length > 0 && (
            <div className="filters" role="search" aria-label={t('keys.filter.label')}>
              <div className="field field-search">
                <label htmlFor="keys-search">{t('keys.filter.search')}</label>
                <input
                  id="keys-search"
                  type="search"
                  autoComplete="off"
                  placeholder={t('keys.filter.searchPlaceholder')}
                  value={query}
                  onChange={(event) => setQuery(event.target.value)}
                />
              </div>
              {subaccounts.length > 1 && (
                <div className="field">
                  <label htmlFor="keys-subaccount">{t('keys.col.subaccount')}</label>
                  <select
                    id="keys-subaccount"
                    value={subaccount}
                    onChange={(event) => setSubaccount(event.target.value)}
                  >
                    <option value="">{t('keys.filter.allSubaccounts')}</option>
                    {subaccounts.map((key) => (
                      <option key={key.subaccountId} value={key.subaccountId}>
                        {keySubaccountLabel(key, t)}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <div className="field">
                <label htmlFor="keys-state">{t('keys.filter.state')}</label>
                <select
                  id="keys-state"
                  value={state}
                  onChange={(event) => setState(event.target.value as StateFilter)}
                >
                  {STATE_FILTERS.map((option) => (
                    <option key={option.value} value={option.value}>
                      {t(option.label)}
                    </option>
                  ))}
                </select>
              </div>
            </div>
          )}
          {filtered && (
            <p className="muted small" role="status">
              {t('keys.filter.showing', { shown: visible.length, total: all.length })}
            </p>
          )}
          {visible.length === 0 ? (
            <p className="empty">{all.length === 0 ? t('keys.empty') : t('keys.filter.none')}</p>
          ) : (
            <div className="table-scroll">
              <table className="table table-cards table-keys" aria-label={t('keys.tableLabel')}>
                <thead>
                  <tr>
                    <th scope="col">{t('keys.col.key')}</th>
                    <th scope="col">{t('keys.col.permission')}</th>
                    <th scope="col">{t('keys.col.allowedIps')}</th>
                    <th scope="col">{t('keys.col.status')}</th>
                    <th scope="col">{t('keys.col.activity')}</th>
                    <th scope="col">
                      <span className="visually-hidden">{t('keys.col.actions')}</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {visible.map((key) => {
                    const live = WORKING.has(key.status);
                    return (
                      <tr
                        key={key.id}
                        data-key-id={key.id}
                        data-status={key.status}
                        className={live ? undefined : 'row-dead'}
                      >
                        <th scope="row">
                          <span className="key-name" title={key.name}>
                            {key.name}
                          </span>
                          <span className="secondary-line">{keySubaccountLabel(key, t)}</span>
                          <span className="key-cell">
                            <code title={key.apiKey}>{shortKey(key.apiKey)}</code>
                            <CopyButton
                              value={key.apiKey}
                              what={`${t('keys.col.apiKey')} ${key.name}`}
                              compact
                            />
                          </span>
                        </th>
                        <td data-label={t('keys.col.permission')}>
                          <PermissionBadges permissions={key.permissions} />
                        </td>
                        <td data-label={t('keys.col.allowedIps')} className="small">
                          {key.allowedIps.length === 0 ? (
                            <span className="muted">{t('keys.anyAddress')}</span>
                          ) : (
                            <AddressList entries={key.allowedIps} />
                          )}
                          {withdrawsFromAnyAddress(key) && (
                            <span
                              className="badge badge-warning badge-block"
                              title={t('keys.withdrawAnyAddressNote')}
                            >
                              {t('keys.withdrawAnyAddress')}
                            </span>
                          )}
                        </td>
                        <td data-label={t('keys.col.status')} className="status-cell">
                          <KeyStatus
                            apiKey={key}
                            now={now}
                            replacement={key.replacedBy ? byId.get(key.replacedBy) : undefined}
                            predecessor={key.replaces ? byId.get(key.replaces) : undefined}
                          />
                        </td>
                        <td data-label={t('keys.col.activity')} className="small">
                          <span className="activity-line">
                            {t('keys.createdShort', { time: '' })}
                            <time title={formatTime(key.createdAt)}>{formatShortTime(key.createdAt)}</time>
                          </span>
                          <span className="activity-line muted">
                            {key.lastUsedAt === null ? (
                              t('keys.neverUsed')
                            ) : (
                              <>
                                {t('keys.lastUsedShort', { time: '' })}
                                <time title={formatTime(key.lastUsedAt)}>
                                  {formatShortTime(key.lastUsedAt)}
                                </time>
                                {key.lastUsedIp && <> {t('keys.lastUsedFrom', { ip: key.lastUsedIp })}</>}
                              </>
                            )}
                          </span>
                        </td>
                        <td className="actions">
                          <div className="row-actions">
                            <Menu
                              label={
                                <>
                                  <span aria-hidden="true">⋯</span>
                                  <span className="menu-text" aria-hidden="true">
                                    {t('keys.col.actions')}
                                  </span>
                                </>
                              }
                              ariaLabel={t('keys.moreActions', { name: key.name })}
                              items={[
                                {
                                  label: t('keys.usage'),
                                  ariaLabel: `${t('keys.usage')} ${key.name}`,
                                  onSelect: () => act({ kind: 'usage', key }),
                                },
                                ...(live
                                  ? [
                                      {
                                        label: t('keys.edit'),
                                        ariaLabel: `${t('keys.edit')} ${key.name}`,
                                        onSelect: () => act({ kind: 'edit', key }),
                                      },
                                      // A key already replaced (in its grace) is never rotated twice.
                                      ...(key.status === 'grace'
                                        ? []
                                        : [
                                            {
                                              label: t('keys.rotate'),
                                              ariaLabel: `${t('keys.rotate')} ${key.name}`,
                                              onSelect: () => act({ kind: 'rotate', key }),
                                            },
                                          ]),
                                      {
                                        label: t('keys.revoke'),
                                        ariaLabel: `${t('keys.revoke')} ${key.name}`,
                                        onSelect: () => act({ kind: 'revoke', key }),
                                        danger: true,
                                      },
                                    ]
                                  : []),
                              ]}
                            />
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
          keys={all.filter((key) => WORKING.has(key.status))}
          onClose={() => setAction(undefined)}
          onRevoked={(count) => done(t('keys.revokedAllNotice', { count }))}
        />
      )}
    </section>
  );
}
