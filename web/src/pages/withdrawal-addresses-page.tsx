/**
 * Settings → Withdrawal addresses: the address book. Add (with the 2FA code, or the password on an account
 * without 2FA), see pending entries with the time left and the moment they take effect, cancel a pending change,
 * allow an address for API withdrawals (a proof again) or stop them, remove (confirmed; an active address takes
 * the same proof as adding it). Each state offers one clear action: a pending address can only be cancelled.
 * Entries are a list of cards, so the page works on a phone without sideways scrolling. Time left is counted from
 * the server's clock, not this device's.
 */
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

import { consoleApi, type WithdrawalAddress, type WithdrawalAddressBook } from '../api/console-api.ts';
import { describeError } from '../api/error-message.ts';
import { Field, FormError } from '../components/field.tsx';
import { LoadState } from '../components/load-state.tsx';
import { AddressCard } from '../features/address-book/address-card.tsx';
import { ProofField, useProof } from '../features/address-book/proof-field.tsx';
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
