/**
 * "Withdraw" on Deposits & Withdrawals: sends funds of the chosen subaccount to an address in the owner's
 * address book. The server's rule: the address must be in the book with its cooling-off passed; an address
 * that requires 2FA also needs the code (or the password on an account without 2FA). A refusal because the
 * address is not (yet) allowed is recognised by its error code, WITHDRAWAL_ADDRESS_NOT_ALLOWED, never by its
 * text, and answered with a link to Settings → Withdrawal addresses.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import {
  ApiError,
  consoleApi,
  WITHDRAWAL_ADDRESS_NOT_ALLOWED,
  type Subaccount,
  type Withdrawal,
} from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { Field, FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { useResource } from '../../use-resource.ts';

export const WITHDRAWAL_ADDRESSES_PATH = '/settings/withdrawal-addresses';

export function WithdrawDialog({
  subaccount,
  onClose,
  onWithdrawn,
}: {
  subaccount: Subaccount;
  onClose: () => void;
  onWithdrawn: (withdrawal: Withdrawal) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user } = useSession();
  const assets = useResource(consoleApi.listExchangeAssets);
  const book = useResource(consoleApi.getWithdrawalAddresses);
  const [symbol, setSymbol] = useState('');
  const [blockchain, setBlockchain] = useState('');
  const [address, setAddress] = useState('');
  const [quantity, setQuantity] = useState('');
  const [proof, setProof] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [refusedByBook, setRefusedByBook] = useState(false);
  const addressInput = useRef<HTMLInputElement>(null);

  const asset = assets.data?.find((a) => a.symbol === symbol) ?? assets.data?.[0];
  const network = asset?.depositBlockchains.includes(blockchain) ? blockchain : asset?.depositBlockchains[0];
  const known = (book.data?.addresses ?? []).filter((entry) => entry.blockchain === network);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy || !asset || !network) return;
    setBusy(true);
    setError(undefined);
    setRefusedByBook(false);
    try {
      const withdrawal = await consoleApi.withdraw({
        subaccountId: subaccount.id,
        symbol: asset.symbol,
        blockchain: network,
        address: address.trim(),
        quantity: quantity.trim(),
        ...(proof === '' ? {} : user.twoFactorEnabled ? { totpCode: proof } : { password: proof }),
      });
      onWithdrawn(withdrawal);
    } catch (caught) {
      setRefusedByBook(caught instanceof ApiError && caught.code === WITHDRAWAL_ADDRESS_NOT_ALLOWED);
      setError(describeError(caught, language, t));
      setProof('');
      setBusy(false);
    }
  };

  const footer = (
    <>
      <button type="button" className="button button-secondary" onClick={onClose}>
        {t('common.cancel')}
      </button>
      <button
        type="submit"
        form="withdraw-form"
        className="button button-primary"
        disabled={busy || !asset || address.trim() === '' || quantity.trim() === ''}
      >
        {busy ? t('withdraw.submitting') : t('withdraw.submit')}
      </button>
    </>
  );

  return (
    <Dialog
      title={t('withdraw.title')}
      description={t('withdraw.description')}
      onClose={busy ? undefined : onClose}
      initialFocus={addressInput}
      footer={footer}
    >
      <form id="withdraw-form" className="form" onSubmit={submit} noValidate>
        {error && (
          <div className="alert alert-error withdraw-refused" role="alert">
            <span>{error}</span>
            {refusedByBook && (
              <a
                href={WITHDRAWAL_ADDRESSES_PATH}
                className="button button-secondary button-small"
                onClick={(event) => {
                  if (event.metaKey || event.ctrlKey || event.shiftKey) return;
                  event.preventDefault();
                  onClose();
                  navigate(WITHDRAWAL_ADDRESSES_PATH);
                }}
              >
                {t('withdraw.openBook')}
              </a>
            )}
          </div>
        )}
        {assets.error && <FormError message={t('common.loadFailed', { message: assets.error })} />}
        <div className="field-row">
          <div className="field">
            <label htmlFor="withdraw-asset">{t('withdraw.asset')}</label>
            <select
              id="withdraw-asset"
              name="symbol"
              value={asset?.symbol ?? ''}
              disabled={!assets.data}
              onChange={(event) => setSymbol(event.target.value)}
            >
              {(assets.data ?? []).map((a) => (
                <option key={a.symbol} value={a.symbol}>
                  {a.symbol} · {a.displayName}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="withdraw-network">{t('withdraw.network')}</label>
            <select
              id="withdraw-network"
              name="blockchain"
              value={network ?? ''}
              disabled={!asset}
              onChange={(event) => setBlockchain(event.target.value)}
            >
              {(asset?.depositBlockchains ?? []).map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Field
          label={t('withdraw.address')}
          name="address"
          required
          maxLength={128}
          autoComplete="off"
          spellCheck={false}
          className="field-mono"
          list="withdraw-known-addresses"
          inputRef={addressInput}
          value={address}
          onChange={(event) => setAddress(event.target.value)}
        />
        <datalist id="withdraw-known-addresses">
          {known.map((entry) => (
            <option key={entry.id} value={entry.address}>
              {entry.label}
            </option>
          ))}
        </datalist>
        <Field
          label={t('withdraw.quantity')}
          name="quantity"
          inputMode="decimal"
          autoComplete="off"
          required
          maxLength={64}
          className="field-mono"
          value={quantity}
          onChange={(event) => setQuantity(event.target.value)}
        />
        <Field
          label={user.twoFactorEnabled ? t('withdraw.code') : t('withdraw.password')}
          labelNote={t('withdraw.proofHint')}
          name={user.twoFactorEnabled ? 'totpCode' : 'password'}
          type={user.twoFactorEnabled ? 'text' : 'password'}
          inputMode={user.twoFactorEnabled ? 'numeric' : undefined}
          autoComplete={user.twoFactorEnabled ? 'one-time-code' : 'current-password'}
          maxLength={user.twoFactorEnabled ? 6 : 256}
          value={proof}
          onChange={(event) =>
            setProof(user.twoFactorEnabled ? event.target.value.replace(/\D/g, '') : event.target.value)
          }
        />
      </form>
    </Dialog>
  );
}
