/** Settings → Security: two-factor authentication (enrol with QR + secret, confirm; disable) and recent activity. */
import { useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi, type AuditEvent, type TwoFactorSetup } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field, FormError } from '../components/field.tsx';
import { LoadState } from '../components/load-state.tsx';
import type { MessageKey } from '../i18n/en.ts';
import { useI18n, type Translate } from '../i18n/i18n.tsx';
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
  const { t, language } = useI18n();
  const { user, setUser } = useSession();
  const [setup, setSetup] = useState<TwoFactorSetup>();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();

  const run = async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    try {
      await action();
    } catch (caught) {
      setError(describeError(caught, language, t));
    } finally {
      setBusy(false);
    }
  };

  const start = (): Promise<void> => run(async () => setSetup(await consoleApi.setUpTwoFactor()));

  const enable = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    return run(async () => {
      const result = await consoleApi.enableTwoFactor(code);
      setUser(result.user);
      setSetup(undefined);
      setCode('');
      setNotice(t('security.enabled'));
      onChanged();
    });
  };

  const disable = (event: FormEvent): Promise<void> => {
    event.preventDefault();
    return run(async () => {
      const result = await consoleApi.disableTwoFactor(code);
      setUser(result.user);
      setCode('');
      setNotice(t('security.disabled'));
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

      {user.twoFactorEnabled ? (
        <form className="form narrow" onSubmit={disable}>
          {codeField(t('security.disableCode'))}
          <button type="submit" className="button button-danger" disabled={busy || code.length !== 6}>
            {busy ? t('security.disabling') : t('security.disable')}
          </button>
        </form>
      ) : setup ? (
        <div className="enrol">
          <p>{t('security.scan')}</p>
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
                <button type="submit" className="button button-primary" disabled={busy || code.length !== 6}>
                  {busy ? t('security.confirming') : t('security.confirm')}
                </button>
              </form>
            </div>
          </div>
        </div>
      ) : (
        <>
          <FormError message={error} />
          <button type="button" className="button button-primary" onClick={start} disabled={busy}>
            {busy ? t('security.starting') : t('security.enable')}
          </button>
        </>
      )}
    </div>
  );
}

function describeEvent(event: AuditEvent, t: Translate): string {
  const d = event.details;
  const parts: string[] = [];
  if (typeof d.name === 'string') parts.push(`“${d.name}”`);
  if (typeof d.label === 'string') parts.push(`“${d.label}”`);
  if (typeof d.blockchain === 'string' && typeof d.address === 'string') {
    parts.push(`${d.blockchain} ${d.address.slice(0, 6)}…${d.address.slice(-4)}`);
  }
  if (typeof d.subaccount === 'string') parts.push(d.subaccount);
  if (d.readOnly === true) parts.push(t('event.readOnly'));
  if (typeof d.apiKey === 'string') parts.push(`${d.apiKey.slice(0, 6)}…${d.apiKey.slice(-4)}`);
  if (d.reason === 'password' || d.reason === 'two_factor') parts.push(t(`event.reason.${d.reason}`));
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
  const { t, formatTime } = useI18n();
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
          <table className="table" aria-label={t('security.activityLabel')}>
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
                      {key in EVENT_KEYS ? t(key) : event.type}
                    </th>
                    <td>{describeEvent(event, t)}</td>
                    <td className="nowrap">
                      <code>{event.ip ?? '—'}</code>
                    </td>
                    <td title={event.userAgent ?? undefined}>{shortUserAgent(event.userAgent)}</td>
                    <td className="nowrap">{formatTime(event.createdAt)}</td>
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
  'event.subaccount.created': true,
  'event.api_key.created': true,
  'event.api_key.revoked': true,
  'event.withdrawal_address.added': true,
  'event.withdrawal_address.api_allowed': true,
  'event.withdrawal_address.two_factor_required': true,
  'event.withdrawal_address.cancelled': true,
  'event.withdrawal_address.removed': true,
};
