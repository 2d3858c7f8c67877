/**
 * Settings → Withdrawal addresses: the address book. Add (with the 2FA code, or the password on an account
 * without 2FA), see pending entries with the time left and the moment they take effect, cancel a pending change,
 * allow an address for API withdrawals (a proof again) or stop them, remove (confirmed; an active address takes
 * the same proof as adding it). Each state offers one clear action: a pending address can only be cancelled.
 * Entries are a list of cards, so the page works on a phone without sideways scrolling. Time left is counted from
 * the server's clock, not this device's.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

import {
  consoleApi,
  type IdentityProof,
  type WithdrawalAddress,
  type WithdrawalAddressBook,
} from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { CopyButton } from '../components/copy-button.tsx';
import { DangerFooter, Dialog } from '../components/dialog.tsx';
import { Field, FormError } from '../components/field.tsx';
import { LoadState } from '../components/load-state.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../session.tsx';
import { useResource } from '../use-resource.ts';

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
  inputRef,
}: {
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  inputRef?: React.Ref<HTMLInputElement>;
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
      inputRef={inputRef}
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
      inputRef={inputRef}
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
  const { t, formatDuration } = useI18n();
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
              ? t('addresses.coolingOff', { time: formatDuration(book.data.coolingOffMs) })
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
  const { user } = useSession();
  const toProof = useProof();
  const [label, setLabel] = useState('');
  const [blockchain, setBlockchain] = useState(blockchains[0] ?? '');
  const [address, setAddress] = useState('');
  const [allowApi, setAllowApi] = useState(false);
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [missing, setMissing] = useState<{ label?: string; address?: string; proof?: string }>({});
  const labelInput = useRef<HTMLInputElement>(null);
  const addressInput = useRef<HTMLInputElement>(null);
  const proofInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    // Everything that is missing, at once, each on its field; the focus on the first.
    const found = {
      ...(label.trim() === '' ? { label: t('addresses.labelRequired') } : {}),
      ...(address.trim() === '' ? { address: t('addresses.addressRequired') } : {}),
      ...(proof === ''
        ? { proof: t(user.twoFactorEnabled ? 'addresses.codeRequired' : 'error.passwordRequired') }
        : {}),
    };
    setMissing(found);
    if (Object.keys(found).length > 0) {
      (found.label ? labelInput : found.address ? addressInput : proofInput).current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const entry = await consoleApi.addWithdrawalAddress({
        label,
        blockchain,
        address: address.trim(),
        twoFactorRequired: !allowApi,
        ...toProof(proof),
      });
      setLabel('');
      setAddress('');
      setProof('');
      setAllowApi(false);
      onAdded(entry);
    } catch (caught) {
      setError(describeError(caught, language, t));
      setProof('');
      window.setTimeout(() => proofInput.current?.focus(), 0);
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
          inputRef={labelInput}
          error={missing.label}
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
        inputRef={addressInput}
        error={missing.address}
        value={address}
        onChange={(event) => setAddress(event.target.value)}
      />
      <div className="checkbox-field">
        <input
          id="address-allow-api"
          type="checkbox"
          checked={allowApi}
          aria-describedby="address-allow-api-hint"
          onChange={(event) => setAllowApi(event.target.checked)}
        />
        <label htmlFor="address-allow-api">{t('addresses.allowApiToggle')}</label>
        <p id="address-allow-api-hint" className="hint">
          {t('addresses.allowApiToggleHint')}
        </p>
      </div>
      <ProofField
        value={proof}
        onChange={setProof}
        hint={t('addresses.proofHint')}
        inputRef={proofInput}
        error={missing.proof}
      />
      <button type="submit" className="button button-primary" aria-disabled={busy ? true : undefined}>
        {busy ? t('addresses.submitting') : t('addresses.submit')}
      </button>
    </form>
  );
}

type Stage = 'adding' | 'api-pending' | 'two-factor' | 'api-allowed';

/** Where an entry stands, at the server's clock: one state, one main action. */
function stageOf(entry: WithdrawalAddress, now: number): Stage {
  if (entry.activeAt > now) return 'adding';
  if (entry.apiAllowedAt === null) return 'two-factor';
  return entry.apiAllowedAt > now ? 'api-pending' : 'api-allowed';
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
  const { t, language, formatTime, formatDuration } = useI18n();
  const toProof = useProof();
  const [allowing, setAllowing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const proofInput = useRef<HTMLInputElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);
  const stage = stageOf(entry, now);
  const pendingUntil =
    stage === 'adding' ? entry.activeAt : stage === 'api-pending' ? entry.apiAllowedAt : null;

  const act = async (work: () => Promise<unknown>, message: string): Promise<void> => {
    if (busy) return;
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
      window.setTimeout(() => (proofInput.current ?? errorBox.current)?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card address-card" data-address-id={entry.id} data-stage={stage} aria-label={entry.label}>
      <div className="address-card-head">
        <strong>{entry.label}</strong>
        <span className="badge badge-neutral">{entry.blockchain}</span>
        <span className={stage === 'adding' ? 'badge badge-warning' : 'badge badge-success'}>
          {stage === 'adding' ? t('addresses.pendingBadge') : t('addresses.active')}
        </span>
        <span
          className={
            stage === 'api-allowed'
              ? 'badge badge-success'
              : stage === 'api-pending'
                ? 'badge badge-warning'
                : 'badge badge-neutral'
          }
        >
          {stage === 'api-allowed'
            ? t('addresses.apiAllowed')
            : stage === 'api-pending' || (stage === 'adding' && entry.apiAllowedAt !== null)
              ? t('addresses.apiPending')
              : t('addresses.consoleOnly')}
        </span>
      </div>
      <div className="key-cell address-value">
        <code>{entry.address}</code>
        <CopyButton value={entry.address} what={entry.label} compact />
      </div>
      <p className="small muted address-times">
        {pendingUntil !== null && (
          <span className="warning-text">
            {t(stage === 'adding' ? 'addresses.takesEffect' : 'addresses.apiTakesEffect', {
              time: formatDuration(pendingUntil - now),
              at: formatTime(pendingUntil),
            })}
          </span>
        )}
        <span>{t('addresses.addedOn', { time: formatTime(entry.createdAt) })}</span>
      </p>
      <div ref={errorBox} tabIndex={-1} className="form-error-anchor">
        <FormError message={error} />
      </div>
      {allowing && (
        <form
          className="inline-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (proof === '') {
              proofInput.current?.focus();
              return;
            }
            void act(
              () => consoleApi.setWithdrawalAddressApiAccess(entry.id, { allowApi: true, ...toProof(proof) }),
              t('addresses.updated', { label: entry.label }),
            );
          }}
        >
          <ProofField value={proof} onChange={setProof} inputRef={proofInput} />
          <button type="submit" className="button button-primary" aria-disabled={busy ? true : undefined}>
            {t('addresses.confirm')}
          </button>
          <button type="button" className="button button-secondary" onClick={() => setAllowing(false)}>
            {t('common.cancel')}
          </button>
        </form>
      )}
      <div className="address-actions">
        {stage === 'adding' && (
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={t('addresses.cancelLabel', { label: entry.label })}
            aria-disabled={busy ? true : undefined}
            onClick={() =>
              void act(
                () => consoleApi.cancelWithdrawalAddress(entry.id),
                t('addresses.cancelled', { label: entry.label }),
              )
            }
          >
            {t('addresses.cancelAdding')}
          </button>
        )}
        {stage === 'two-factor' && !allowing && (
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => {
              setAllowing(true);
              window.setTimeout(() => proofInput.current?.focus(), 0);
            }}
          >
            {t('addresses.allowApi')}
          </button>
        )}
        {stage === 'api-pending' && (
          <button
            type="button"
            className="button button-secondary button-small"
            aria-label={t('addresses.cancelApiLabel', { label: entry.label })}
            aria-disabled={busy ? true : undefined}
            onClick={() =>
              void act(
                () => consoleApi.cancelWithdrawalAddress(entry.id),
                t('addresses.cancelledApi', { label: entry.label }),
              )
            }
          >
            {t('addresses.cancelApi')}
          </button>
        )}
        {stage === 'api-allowed' && (
          <button
            type="button"
            className="button button-secondary button-small"
            aria-disabled={busy ? true : undefined}
            onClick={() =>
              void act(
                () => consoleApi.setWithdrawalAddressApiAccess(entry.id, { allowApi: false }),
                t('addresses.updated', { label: entry.label }),
              )
            }
          >
            {t('addresses.stopApi')}
          </button>
        )}
        {stage !== 'adding' && (
          <button
            type="button"
            className="button button-danger-ghost button-small"
            aria-label={t('addresses.removeLabel', { label: entry.label })}
            onClick={() => setRemoving(true)}
          >
            {t('addresses.remove')}
          </button>
        )}
      </div>
      {removing && (
        <RemoveAddressDialog
          entry={entry}
          onClose={() => setRemoving(false)}
          onRemoved={() => {
            setRemoving(false);
            onChanged(t('addresses.removed', { label: entry.label }));
          }}
        />
      )}
    </li>
  );
}

/** Removing an active address: confirmed, with the same proof as adding it. */
function RemoveAddressDialog({
  entry,
  onClose,
  onRemoved,
}: {
  entry: WithdrawalAddress;
  onClose: () => void;
  onRemoved: () => void;
}): ReactNode {
  const { t, language } = useI18n();
  const toProof = useProof();
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const cancel = useRef<HTMLButtonElement>(null);
  const proofInput = useRef<HTMLInputElement>(null);

  const remove = async (): Promise<void> => {
    if (busy) return;
    if (proof === '') {
      setError(t('addresses.proofNeeded'));
      proofInput.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await consoleApi.removeWithdrawalAddress(entry.id, toProof(proof));
      onRemoved();
    } catch (caught) {
      setError(describeError(caught, language, t));
      setProof('');
      setBusy(false);
      window.setTimeout(() => proofInput.current?.focus(), 0);
    }
  };

  return (
    <Dialog
      title={t('addresses.removeTitle', { label: entry.label })}
      onClose={busy ? undefined : onClose}
      initialFocus={proofInput}
      description={<p>{t('addresses.removeBody')}</p>}
      footer={
        <DangerFooter
          cancelRef={cancel}
          onCancel={onClose}
          onConfirm={() => void remove()}
          busy={busy}
          confirmLabel={t('addresses.removeConfirm')}
          busyLabel={t('addresses.removing')}
        />
      }
    >
      <p className="small">
        <span className="badge badge-neutral">{entry.blockchain}</span>{' '}
        <code className="break">{entry.address}</code>
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void remove();
        }}
      >
        <ProofField
          value={proof}
          onChange={setProof}
          error={error}
          inputRef={proofInput}
          hint={t('addresses.proofHint')}
        />
      </form>
    </Dialog>
  );
}
