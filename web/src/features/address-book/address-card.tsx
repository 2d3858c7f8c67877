/**
 * One address-book entry as a card: its state (waiting to take effect, console only, API withdrawals waiting or
 * allowed) with the time left and the moment itself, and the one action that state offers (Cancel adding; Allow
 * API withdrawals, with a proof; Cancel API withdrawals; Stop API withdrawals), plus Remove for an address that
 * took effect, confirmed in a dialog with the same proof as adding it. Times are the server's clock (`now`).
 */
import { useRef, useState, type ReactNode } from 'react';

import { consoleApi, type WithdrawalAddress } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { CopyButton } from '../../components/copy-button.tsx';
import { DangerFooter, Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { ProofField, useProof } from './proof-field.tsx';

type Stage = 'adding' | 'api-pending' | 'two-factor' | 'api-allowed';

/** Where an entry stands, at the server's clock: one state, one main action. */
function stageOf(entry: WithdrawalAddress, now: number): Stage {
  if (entry.activeAt > now) return 'adding';
  if (entry.apiAllowedAt === null) return 'two-factor';
  return entry.apiAllowedAt > now ? 'api-pending' : 'api-allowed';
}

export function AddressCard({
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
