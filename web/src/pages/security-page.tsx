/**
 * Settings → Security: two-factor authentication (enrol with a QR code, the secret, or an `otpauth://` link for an
 * authenticator on the same phone; confirm, which shows the ten recovery codes once; new recovery codes for a
 * current code; disable, confirmed in a dialog that says what it unprotects) and the account's recent activity: every event with a label
 * and details in the console's language (never a raw event code), as a table on wide screens and one card per
 * event on a phone. After a failed action the focus goes to the code field, never to the page.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi, type AuditEvent, type TwoFactorSetup } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field, FormError } from '../components/field.tsx';
import { LoadState } from '../components/load-state.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n, type Translate } from '../i18n/i18n.tsx';
import { permissionLabel } from '../features/api-keys/key-badges.tsx';
import { keySubaccountLabel } from '../features/exchange/subaccount-label.ts';
import { DisableTwoFactorDialog } from '../features/two-factor/disable-two-factor-dialog.tsx';
import { RecoveryCodesPanel } from '../features/two-factor/recovery-codes-panel.tsx';
import { useSession } from '../session.tsx';
import { useResource } from '../use-resource.ts';

export function SecurityPage(): ReactNode {
  const { t } = useI18n();
  const audit = useResource(consoleApi.listAuditEvents);
  return (
    <section className="page" aria-labelledby="security-title">
      <div className="page-header">
        <div>
          <h1 id="security-title">{t('security.title')}</h1>
        </div>
      </div>
      <TwoFactorCard onChanged={audit.reload} />
      <ActivityCard events={audit.data} loading={audit.loading} error={audit.error} onRetry={audit.reload} />
    </section>
  );
}

function TwoFactorCard({ onChanged }: { onChanged: () => void }): ReactNode {
  const { t, language, formatTime } = useI18n();
  const { user, setUser } = useSession();
  const [setup, setSetup] = useState<TwoFactorSetup>();
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>();
  const [confirmingDisable, setConfirmingDisable] = useState(false);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const codeInput = useRef<HTMLInputElement>(null);
  const startButton = useRef<HTMLButtonElement>(null);

  const run = async (action: () => Promise<void>): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
      setBusy(false);
    } catch (caught) {
      setError(describeError(caught, language, t));
      setBusy(false);
      // Back to where the person can fix it (the code), never to the page.
      window.setTimeout(() => (codeInput.current ?? startButton.current)?.focus(), 0);
    }
  };

  const start = (): Promise<void> => run(async () => setSetup(await consoleApi.setUpTwoFactor()));

  const enable = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (code.length !== 6) {
      setError(t('security.codeSixDigits'));
      codeInput.current?.focus();
      return Promise.resolve();
    }
    return run(async () => {
      const result = await consoleApi.enableTwoFactor(code);
      setUser(result.user);
      setSetup(undefined);
      setCode('');
      setNotice(t('security.enabled'));
      setRecoveryCodes(result.recoveryCodes);
      onChanged();
    });
  };

  const regenerate = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (code.length !== 6) {
      setError(t('security.codeSixDigits'));
      codeInput.current?.focus();
      return Promise.resolve();
    }
    return run(async () => {
      const result = await consoleApi.regenerateRecoveryCodes(code);
      setCode('');
      setRecoveryCodes(result.recoveryCodes);
      onChanged();
    });
  };

  const codeField = (label: string): ReactNode => (
    <Field
      label={label}
      name="code"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      required
      inputRef={codeInput}
      value={code}
      error={error}
      onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
    />
  );

  return (
    <div className="card" aria-labelledby="two-factor-title">
      <div className="card-header">
        <h2 id="two-factor-title">{t('security.twoFactor')}</h2>
        <span className={user.twoFactorEnabled ? 'badge badge-success' : 'badge badge-neutral'}>
          {user.twoFactorEnabled ? t('security.on') : t('security.off')}
        </span>
      </div>
      <p className="muted">{t('security.twoFactorDescription')}</p>
      {notice && (
        <div className="alert alert-success" role="status">
          {notice}
        </div>
      )}

      {recoveryCodes ? (
        <RecoveryCodesPanel codes={recoveryCodes} onDone={() => setRecoveryCodes(undefined)} />
      ) : user.twoFactorEnabled ? (
        <>
          <form className="form narrow" onSubmit={regenerate}>
            <p className="muted">{t('recovery.regenerateHint')}</p>
            {codeField(t('security.disableCode'))}
            <button
              type="submit"
              className="button button-secondary"
              aria-disabled={busy || code.length !== 6 ? true : undefined}
            >
              {t('recovery.regenerate')}
            </button>
          </form>
          <button
            type="button"
            className="button button-danger"
            onClick={() => {
              setNotice(undefined);
              setConfirmingDisable(true);
            }}
          >
            {t('security.disable')}
          </button>
          {confirmingDisable && (
            <DisableTwoFactorDialog
              onClose={() => setConfirmingDisable(false)}
              onDisabled={(updated, pausedUntil) => {
                setConfirmingDisable(false);
                setUser(updated);
                setNotice(
                  pausedUntil === null
                    ? t('security.disabled')
                    : t('security.disabledPaused', { time: formatTime(pausedUntil) }),
                );
                onChanged();
              }}
            />
          )}
        </>
      ) : setup ? (
        <div className="enrol">
          <p>{t('security.scan')}</p>
          <div className="otpauth">
            <a className="button button-secondary button-small" href={setup.otpauthUrl}>
              {t('security.openInApp')}
            </a>
            <p className="hint">{t('security.openInAppHint')}</p>
          </div>
          <div className="enrol-grid">
            <img className="qr" src={setup.qrCode} alt={t('security.qrAlt')} width="200" height="200" />
            <div>
              <div className="secret-field">
                <div className="secret-label">
                  <label htmlFor="totp-secret">{t('security.secret')}</label>
                  <CopyButton value={setup.secret} what={t('security.secret')} />
                </div>
                <input id="totp-secret" className="mono secret-value" readOnly value={setup.secret} />
              </div>
              <form className="form" onSubmit={enable}>
                {codeField(t('security.confirmCode'))}
                <button
                  type="submit"
                  className="button button-primary"
                  aria-disabled={busy || code.length !== 6 ? true : undefined}
                >
                  {busy ? t('security.confirming') : t('security.confirm')}
                </button>
              </form>
            </div>
          </div>
        </div>
      ) : (
        <>
          <FormError message={error} />
          <button
            ref={startButton}
            type="button"
            className="button button-primary"
            onClick={start}
            aria-disabled={busy ? true : undefined}
          >
            {busy ? t('security.starting') : t('security.enable')}
          </button>
        </>
      )}
    </div>
  );
}

const short = (value: unknown): string =>
  typeof value === 'string' && value.length > 14
    ? `${value.slice(0, 6)}…${value.slice(-4)}`
    : String(value ?? '');

type KeyState = { name?: unknown; permissions?: unknown; allowedIps?: unknown; expiresAt?: unknown };

/** What changed in an `api_key.updated` event, in words: "permissions: Read, Trade → Read, Trade, Withdraw". */
function describeKeyChange(
  before: KeyState,
  after: KeyState,
  t: Translate,
  formatTime: (ms: number) => string,
): string[] {
  const perms = (value: unknown): string =>
    Array.isArray(value) ? value.map((p) => permissionLabel(t, String(p))).join(', ') : '—';
  const ips = (value: unknown): string =>
    Array.isArray(value) && value.length > 0 ? value.join(', ') : t('keys.anyAddress');
  const expiry = (value: unknown): string =>
    typeof value === 'number' ? formatTime(value) : t('common.never');
  const changes: string[] = [];
  if (before.name !== after.name)
    changes.push(t('event.change.name', { from: String(before.name), to: String(after.name) }));
  if (perms(before.permissions) !== perms(after.permissions)) {
    changes.push(
      t('event.change.permissions', { from: perms(before.permissions), to: perms(after.permissions) }),
    );
  }
  if (ips(before.allowedIps) !== ips(after.allowedIps)) {
    changes.push(t('event.change.allowedIps', { from: ips(before.allowedIps), to: ips(after.allowedIps) }));
  }
  if (expiry(before.expiresAt) !== expiry(after.expiresAt)) {
    changes.push(t('event.change.expiry', { from: expiry(before.expiresAt), to: expiry(after.expiresAt) }));
  }
  return changes.length > 0 ? changes : [t('event.change.none')];
}

/** The details of an event in the console's language; every event type the server writes has its own. */
export function describeEvent(
  event: AuditEvent,
  t: Translate,
  formatTime: (ms: number) => string,
  formatDuration: (ms: number) => string,
): string {
  const d = event.details;
  const parts: string[] = [];
  const quoted = (value: unknown): string => t('common.quoted', { text: String(value) });
  switch (event.type) {
    case 'login.succeeded':
      if (d.twoFactor === true) parts.push(t('event.withTwoFactor'));
      break;
    case 'totp.recovery_code_used':
      if (typeof d.left === 'number') parts.push(t('event.recoveryCodesLeft', { count: d.left }));
      break;
    case 'totp.disabled':
      if (typeof d.apiWithdrawalsPausedUntil === 'number') {
        parts.push(t('event.withdrawalsPausedUntil', { time: formatTime(d.apiWithdrawalsPausedUntil) }));
      }
      break;
    case 'login.failed':
      if (d.reason === 'password' || d.reason === 'two_factor') parts.push(t(`event.reason.${d.reason}`));
      break;
    case 'subaccount.created':
      parts.push(quoted(d.subaccount));
      break;
    case 'api_key.created':
      parts.push(quoted(d.name), short(d.apiKey));
      if (typeof d.subaccount === 'string')
        parts.push(keySubaccountLabel({ subaccountName: d.subaccount }, t));
      if (Array.isArray(d.permissions)) {
        parts.push(d.permissions.map((p) => permissionLabel(t, String(p))).join(', '));
      } else if (d.readOnly === true) parts.push(t('event.readOnly'));
      break;
    case 'api_key.revoked':
      parts.push(quoted(d.name), short(d.apiKey));
      break;
    case 'api_key.updated': {
      const before = (d.before ?? {}) as KeyState;
      const after = (d.after ?? {}) as KeyState;
      parts.push(quoted(after.name ?? before.name), short(d.apiKey));
      parts.push(...describeKeyChange(before, after, t, formatTime));
      break;
    }
    case 'api_key.rotated':
      if (d.name !== undefined) parts.push(quoted(d.name));
      parts.push(t('event.rotatedTo', { from: short(d.apiKey), to: short(d.newApiKey) }));
      parts.push(
        typeof d.graceMs === 'number' && d.graceMs > 0
          ? t('event.graceFor', { time: formatDuration(d.graceMs) })
          : t('event.noGrace'),
      );
      break;
    case 'api_key.revoked_all': {
      const count = typeof d.count === 'number' ? d.count : 0;
      parts.push(
        d.subaccountId === null || d.subaccountId === undefined
          ? t('event.scope.all')
          : t('event.scope.subaccount', {
              name:
                typeof d.subaccount === 'string'
                  ? keySubaccountLabel({ subaccountName: d.subaccount }, t)
                  : short(d.subaccountId),
            }),
      );
      parts.push(t('event.keysCount', { count }));
      if (Array.isArray(d.keys) && d.keys.length > 0) {
        parts.push((d.keys as Array<{ name?: unknown }>).map((k) => quoted(k.name)).join(', '));
      }
      break;
    }
    case 'withdrawal_address.added':
    case 'withdrawal_address.api_allowed':
    case 'withdrawal_address.two_factor_required':
    case 'withdrawal_address.cancelled':
    case 'withdrawal_address.removed':
      if (typeof d.label === 'string') parts.push(quoted(d.label));
      if (typeof d.blockchain === 'string' && typeof d.address === 'string') {
        parts.push(`${d.blockchain} ${short(d.address)}`);
      }
      if (d.by === 'operator') parts.push(t('event.byOperator'));
      break;
  }
  return parts.join(' · ');
}

function shortUserAgent(userAgent: string | null): string {
  if (!userAgent) return '—';
  const browser = /(Firefox|Edg|OPR|Chrome|Chromium|Safari)\/[\d.]+/.exec(userAgent)?.[0];
  const os = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(userAgent)?.[0];
  return [browser?.replace('Edg/', 'Edge/'), os].filter(Boolean).join(', ') || userAgent.slice(0, 40);
}

function ActivityCard({
  events,
  loading,
  error,
  onRetry,
}: {
  events?: AuditEvent[];
  loading: boolean;
  error?: string;
  onRetry: () => void;
}): ReactNode {
  const { t, formatTime, formatDuration } = useI18n();
  return (
    <div className="card" aria-labelledby="activity-title">
      <div className="card-header">
        <h2 id="activity-title">{t('security.activity')}</h2>
      </div>
      <p className="muted">{t('security.activityDescription')}</p>
      <LoadState loading={loading && !events} error={error} onRetry={onRetry} />
      {events && events.length === 0 && <p className="empty">{t('security.activityEmpty')}</p>}
      {events && events.length > 0 && (
        <div className="table-scroll">
          <table className="table table-cards" aria-label={t('security.activityLabel')}>
            <thead>
              <tr>
                <th scope="col">{t('security.col.event')}</th>
                <th scope="col">{t('security.col.details')}</th>
                <th scope="col">{t('security.col.ip')}</th>
                <th scope="col">{t('security.col.device')}</th>
                <th scope="col">{t('security.col.time')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => {
                const key = `event.${event.type}` as MessageKey;
                return (
                  <tr key={event.id} data-event-type={event.type}>
                    <th
                      scope="row"
                      className={event.type === 'login.failed' ? 'nowrap text-danger' : 'nowrap'}
                    >
                      {key in EVENT_KEYS ? t(key) : t('event.other')}
                    </th>
                    <td data-label={t('security.col.details')} className="event-details">
                      {describeEvent(event, t, formatTime, formatDuration) || '—'}
                    </td>
                    <td data-label={t('security.col.ip')} className="nowrap">
                      <code>{event.ip ?? '—'}</code>
                    </td>
                    <td data-label={t('security.col.device')} title={event.userAgent ?? undefined}>
                      {shortUserAgent(event.userAgent)}
                    </td>
                    <td data-label={t('security.col.time')} className="nowrap">
                      {formatTime(event.createdAt)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

const EVENT_KEYS: Partial<Record<MessageKey, true>> = {
  'event.user.created': true,
  'event.login.succeeded': true,
  'event.login.failed': true,
  'event.logout': true,
  'event.totp.enabled': true,
  'event.totp.disabled': true,
  'event.totp.recovery_code_used': true,
  'event.totp.recovery_codes_regenerated': true,
  'event.subaccount.created': true,
  'event.api_key.created': true,
  'event.api_key.revoked': true,
  'event.api_key.updated': true,
  'event.api_key.rotated': true,
  'event.api_key.revoked_all': true,
  'event.exchange.reset': true,
  'event.withdrawal_address.added': true,
  'event.withdrawal_address.api_allowed': true,
  'event.withdrawal_address.two_factor_required': true,
  'event.withdrawal_address.cancelled': true,
  'event.withdrawal_address.removed': true,
};
