/**
 * Settings → Withdrawal addresses: the address book. Add (with the 2FA code, or the password on an account
 * without 2FA), see pending entries with the time left, cancel a pending change, allow an address for API
 * withdrawals (a proof again) or require 2FA again, remove. Entries are a list of cards, so the page works on a
 * phone without sideways scrolling. Time left is counted from the server's clock, not this device's.
 */
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';

import {
  consoleApi,
  type IdentityProof,
  type WithdrawalAddress,
  type WithdrawalAddressBook,
} from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { Field, FormError } from '../components/field.tsx';
import { LoadState } from '../components/load-state.tsx';
import { useI18n, type Translate } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { useResource } from '../use-resource.ts';

export function formatDuration(ms: number, t: Translate): string {
  const minutes = Math.ceil(ms / 60_000);
  if (ms < 60_000) return t('duration.s');
  if (minutes < 60) return t('duration.m', { m: minutes });
  return t('duration.hm', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** The server's clock now: its answer's `now` plus the time since the answer arrived. */
function useServerClock(book: WithdrawalAddressBook | undefined): number {
  const [tick, setTick] = useState(() => Date.now());
  const [received, setReceived] = useState(() => Date.now());
  useEffect(() => setReceived(Date.now()), [book]);
  useEffect(() => {
    const timer = window.setInterval(() => setTick(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  return book ? book.now + Math.max(0, tick - received) : tick;
}

function ProofField({
  value,
  onChange,
  error,
  hint,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
}): ReactNode {
  const { t } = useI18n();
  const { user } = useSession();
  return user.twoFactorEnabled ? (
    <Field
      label={t('addresses.code')}
      name="totpCode"
      inputMode="numeric"
      autoComplete="one-time-code"
      maxLength={6}
      required
      hint={hint}
      value={value}
      error={error}
      onChange={(event) => onChange(event.target.value.replace(/\D/g, ''))}
    />
  ) : (
    <Field
      label={t('addresses.password')}
      name="password"
      type="password"
      autoComplete="current-password"
      required
      hint={hint}
      value={value}
      error={error}
      onChange={(event) => onChange(event.target.value)}
    />
  );
}

function useProof(): (value: string) => IdentityProof {
  const { user } = useSession();
  return (value) => (user.twoFactorEnabled ? { totpCode: value } : { password: value });
}

export function WithdrawalAddressesPage(): ReactNode {
  const { t } = useI18n();
  const book = useResource(consoleApi.getWithdrawalAddresses);
  const [notice, setNotice] = useState<string>();
  const now = useServerClock(book.data);

  const changed = (message: string): void => {
    setNotice(message);
    book.reload();
  };

  return (
    <section className="page" aria-labelledby="addresses-title">
      <div className="page-header">
        <div>
          <h1 id="addresses-title">{t('addresses.title')}</h1>
          <p className="muted">{t('addresses.description')}</p>
        </div>
      </div>
      <LoadState loading={book.loading && !book.data} error={book.error} onRetry={book.reload} />
      {book.data && (
        <>
          {book.data.mode === 'any' && (
            <div className="alert alert-warning" role="note">
              {t('addresses.anyMode')}
            </div>
          )}
          <p className="muted">
            {book.data.coolingOffMs > 0
              ? t('addresses.coolingOff', { time: formatDuration(book.data.coolingOffMs, t) })
              : t('addresses.noCoolingOff')}
          </p>
          <AddAddressForm
            blockchains={book.data.blockchains}
            onAdded={(entry) => changed(t('addresses.added', { label: entry.label }))}
          />
          {notice && (
            <div className="alert alert-success" role="status">
              {notice}
            </div>
          )}
          {book.data.addresses.length === 0 ? (
            <p className="card muted">{t('addresses.empty')}</p>
          ) : (
            <ul className="address-list" aria-label={t('addresses.listLabel')}>
              {book.data.addresses.map((entry) => (
                <AddressCard key={entry.id} entry={entry} now={now} onChanged={changed} />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function AddAddressForm({
  blockchains,
  onAdded,
}: {
  blockchains: string[];
  onAdded: (entry: WithdrawalAddress) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const toProof = useProof();
  const [label, setLabel] = useState('');
  const [blockchain, setBlockchain] = useState(blockchains[0] ?? '');
  const [address, setAddress] = useState('');
  const [requireTwoFactor, setRequireTwoFactor] = useState(true);
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const entry = await consoleApi.addWithdrawalAddress({
        label,
        blockchain,
        address: address.trim(),
        twoFactorRequired: requireTwoFactor,
        ...toProof(proof),
      });
      setLabel('');
      setAddress('');
      setProof('');
      setRequireTwoFactor(true);
      onAdded(entry);
    } catch (caught) {
      setError(describeError(caught, language, t));
      setProof('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card form" onSubmit={submit} aria-labelledby="add-address-title">
      <h2 id="add-address-title" className="card-title">
        {t('addresses.addTitle')}
      </h2>
      <FormError message={error} />
      <div className="field-row">
        <Field
          label={t('addresses.label')}
          name="label"
          required
          maxLength={64}
          autoComplete="off"
          value={label}
          onChange={(event) => setLabel(event.target.value)}
        />
        <div className="field">
          <label htmlFor="address-network">{t('addresses.network')}</label>
          <select
            id="address-network"
            name="blockchain"
            value={blockchain}
            onChange={(event) => setBlockchain(event.target.value)}
          >
            {blockchains.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <Field
        label={t('addresses.address')}
        name="address"
        required
        maxLength={128}
        autoComplete="off"
        spellCheck={false}
        className="field-mono"
        value={address}
        onChange={(event) => setAddress(event.target.value)}
      />
      <div className="checkbox-field">
        <input
          id="address-require-2fa"
          type="checkbox"
          checked={requireTwoFactor}
          aria-describedby="address-require-2fa-hint"
          onChange={(event) => setRequireTwoFactor(event.target.checked)}
        />
        <label htmlFor="address-require-2fa">{t('addresses.requireTwoFactor')}</label>
        <p id="address-require-2fa-hint" className="hint">
          {t('addresses.requireTwoFactorHint')}
        </p>
      </div>
      <ProofField value={proof} onChange={setProof} hint={t('addresses.proofHint')} />
      <button
        type="submit"
        className="button button-primary"
        disabled={busy || label.trim() === '' || address.trim() === '' || proof === ''}
      >
        {busy ? t('addresses.submitting') : t('addresses.submit')}
      </button>
    </form>
  );
}

function AddressCard({
  entry,
  now,
  onChanged,
}: {
  entry: WithdrawalAddress;
  now: number;
  onChanged: (message: string) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const toProof = useProof();
  const [allowing, setAllowing] = useState(false);
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const pending = entry.status === 'pending' && entry.pendingUntil !== null && entry.pendingUntil > now;

  const act = async (work: () => Promise<unknown>, message: string): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
      setAllowing(false);
      setProof('');
      onChanged(message);
    } catch (caught) {
      setError(describeError(caught, language, t));
      setProof('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card address-card" data-address-id={entry.id} aria-label={entry.label}>
      <div className="address-card-head">
        <strong>{entry.label}</strong>
        <span className="badge badge-neutral">{entry.blockchain}</span>
        {pending ? (
          <span className="badge badge-accent">
            {t('addresses.pending', { time: formatDuration((entry.pendingUntil as number) - now, t) })}
          </span>
        ) : (
          <span className="badge badge-success">{t('addresses.active')}</span>
        )}
        <span className={entry.twoFactorRequired ? 'badge badge-neutral' : 'badge badge-success'}>
          {entry.twoFactorRequired
            ? t('addresses.twoFactorRequired')
            : entry.apiWithdrawals
              ? t('addresses.apiAllowed')
              : t('addresses.apiPending')}
        </span>
      </div>
      <div className="key-cell address-value">
        <code>{entry.address}</code>
        <CopyButton value={entry.address} what={entry.label} compact />
      </div>
      <FormError message={error} />
      {allowing && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            void act(
              () => consoleApi.setWithdrawalAddressApiAccess(entry.id, { allowApi: true, ...toProof(proof) }),
              t('addresses.updated', { label: entry.label }),
            );
          }}
        >
          <ProofField value={proof} onChange={setProof} />
          <button type="submit" className="button button-primary" disabled={busy || proof === ''}>
            {t('addresses.confirm')}
          </button>
        </form>
      )}
      <div className="address-actions">
        {pending && (
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={t('addresses.cancelLabel', { label: entry.label })}
            disabled={busy}
            onClick={() =>
              void act(
                () => consoleApi.cancelWithdrawalAddress(entry.id),
                t('addresses.cancelled', { label: entry.label }),
              )
            }
          >
            {t('addresses.cancel')}
          </button>
        )}
        {entry.twoFactorRequired && !allowing && (
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={busy}
            onClick={() => setAllowing(true)}
          >
            {t('addresses.allowApi')}
          </button>
        )}
        {!entry.twoFactorRequired && !pending && (
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={busy}
            onClick={() =>
              void act(
                () => consoleApi.setWithdrawalAddressApiAccess(entry.id, { allowApi: false }),
                t('addresses.updated', { label: entry.label }),
              )
            }
          >
            {t('addresses.requireAgain')}
          </button>
        )}
        <button
          type="button"
          className="button button-danger button-small"
          aria-label={t('addresses.removeLabel', { label: entry.label })}
          disabled={busy}
          onClick={() =>
            void act(
              () => consoleApi.removeWithdrawalAddress(entry.id),
              t('addresses.removed', { label: entry.label }),
            )
          }
        >
          {t('addresses.remove')}
        </button>
      </div>
    </li>
  );
}
