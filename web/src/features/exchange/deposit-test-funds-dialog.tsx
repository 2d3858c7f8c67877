/**
 * "Deposit test funds": credits sandbox money to one of the user's subaccounts (recorded as a confirmed deposit,
 * like `signet deposit`). Asset, network and subaccount are chosen from lists; the quantity is checked here
 * with the server's rules for a clear inline message, sent as the typed string, and checked again by the server,
 * whose refusals land next to the field they concern.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { ApiError, consoleApi, type Deposit, type Subaccount } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { Field, FormError } from '../../components/field.tsx';
import type { MessageKey } from '../../i18n/en.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useResource } from '../../use-resource.ts';
import { checkQuantity, type QuantityProblem } from './quantity-input.ts';
import { subaccountLabel } from './subaccount-label.ts';

type FieldName = 'symbol' | 'quantity' | 'form';

const PROBLEMS: Record<QuantityProblem, MessageKey> = {
  required: 'deposit.error.required',
  format: 'deposit.error.format',
  decimals: 'deposit.error.decimals',
  zero: 'deposit.error.zero',
  max: 'deposit.error.max',
};

function fieldOf(error: ApiError): FieldName {
  if (error.code === 'INVALID_QUANTITY') return 'quantity';
  if (error.code === 'INVALID_ASSET') return 'symbol';
  return 'form';
}

export function DepositTestFundsDialog({
  subaccounts,
  initialSubaccountId,
  onClose,
  onDeposited,
}: {
  subaccounts: Subaccount[];
  initialSubaccountId: string;
  onClose: () => void;
  onDeposited: (deposit: Deposit, subaccount: Subaccount) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const assets = useResource(consoleApi.listExchangeAssets);
  const [subaccountId, setSubaccountId] = useState(initialSubaccountId);
  const [symbol, setSymbol] = useState('');
  const [blockchain, setBlockchain] = useState('');
  const [quantity, setQuantity] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const quantityInput = useRef<HTMLInputElement>(null);

  const asset = assets.data?.find((a) => a.symbol === symbol) ?? assets.data?.[0];
  const network = asset?.depositBlockchains.includes(blockchain) ? blockchain : asset?.depositBlockchains[0];

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy || !asset) return;
    const typed = quantity.trim();
    const problem = checkQuantity(typed, { decimals: asset.decimals, max: asset.maxDeposit });
    if (problem) {
      setErrors({
        quantity: t(PROBLEMS[problem], {
          decimals: asset.decimals,
          max: asset.maxDeposit,
          asset: asset.symbol,
        }),
      });
      quantityInput.current?.focus();
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const deposit = await consoleApi.depositTestFunds({
        subaccountId,
        symbol: asset.symbol,
        quantity: typed,
        ...(network ? { blockchain: network } : {}),
      });
      const subaccount = subaccounts.find((s) => s.id === subaccountId) as Subaccount;
      onDeposited(deposit, subaccount);
    } catch (caught) {
      const error =
        caught instanceof ApiError ? caught : new ApiError(0, 'CLIENT_ERROR', (caught as Error).message);
      const field = fieldOf(error);
      setErrors({ [field]: describeError(error, language, t) });
      if (field === 'quantity') quantityInput.current?.focus();
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
        form="deposit-test-funds-form"
        className="button button-primary"
        disabled={busy || !asset}
      >
        {busy ? t('deposit.submitting') : t('deposit.submit')}
      </button>
    </>
  );

  return (
    <Dialog
      title={t('deposit.title')}
      description={t('deposit.description')}
      onClose={busy ? undefined : onClose}
      initialFocus={quantityInput}
      footer={footer}
    >
      <form id="deposit-test-funds-form" className="form" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        {assets.error && <FormError message={t('common.loadFailed', { message: assets.error })} />}
        <div className="field">
          <label htmlFor="deposit-subaccount">{t('deposit.subaccount')}</label>
          <select
            id="deposit-subaccount"
            name="subaccountId"
            value={subaccountId}
            onChange={(event) => setSubaccountId(event.target.value)}
          >
            {subaccounts.map((subaccount) => (
              <option key={subaccount.id} value={subaccount.id}>
                {subaccountLabel(subaccount, t)}
              </option>
            ))}
          </select>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="deposit-asset">{t('deposit.asset')}</label>
            <select
              id="deposit-asset"
              name="symbol"
              value={asset?.symbol ?? ''}
              disabled={!assets.data}
              aria-invalid={errors.symbol ? true : undefined}
              aria-describedby={errors.symbol ? 'deposit-asset-error' : undefined}
              onChange={(event) => {
                setSymbol(event.target.value);
                setErrors({});
              }}
            >
              {(assets.data ?? []).map((a) => (
                <option key={a.symbol} value={a.symbol}>
                  {a.symbol} · {a.displayName}
                </option>
              ))}
            </select>
            {errors.symbol && (
              <p id="deposit-asset-error" className="field-error" role="alert">
                {errors.symbol}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor="deposit-network">{t('deposit.network')}</label>
            <select
              id="deposit-network"
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
          label={t('deposit.quantity')}
          name="quantity"
          inputMode="decimal"
          autoComplete="off"
          spellCheck={false}
          required
          maxLength={64}
          className="field-mono"
          placeholder="1000"
          inputRef={quantityInput}
          hint={
            asset
              ? t('deposit.quantityHint', {
                  max: asset.maxDeposit,
                  asset: asset.symbol,
                  decimals: asset.decimals,
                })
              : undefined
          }
          value={quantity}
          error={errors.quantity}
          onChange={(event) => {
            setQuantity(event.target.value);
            if (errors.quantity) setErrors({});
          }}
        />
      </form>
    </Dialog>
  );
}
