/**
 * Revoke every working key of the account or of one subaccount: the button for a compromised machine. The
 * confirmation names how many keys, and which, will stop, for the scope chosen; the button says the count too.
 */
import { useRef, useState, type ReactNode } from 'react';

import { consoleApi, type ApiKey } from '../../api/console-api.ts';
import { describeError, errorField } from '../../api/error-message.ts';
import { DangerFooter, Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { keySubaccountLabel } from '../exchange/subaccount-label.ts';
import { shortKey } from './key-badges.tsx';
import { KeyProofField, keyProof } from './totp-field.tsx';

export function RevokeAllDialog({
  keys,
  onClose,
  onRevoked,
}: {
  /** The working keys (active, expiring, in grace): what revoke-all would stop. */
  keys: ApiKey[];
  onClose: () => void;
  onRevoked: (count: number) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user } = useSession();
  const [scope, setScope] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [codeError, setCodeError] = useState<string>();
  const cancel = useRef<HTMLButtonElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);

  const subaccounts = [...new Map(keys.map((key) => [key.subaccountId, key])).values()];
  const affected = keys.filter((key) => scope === '' || key.subaccountId === scope);

  const revoke = async (): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setCodeError(undefined);
    try {
      const { revoked } = await consoleApi.revokeAllKeys({
        ...(scope ? { subaccountId: scope } : {}),
        ...keyProof(user.twoFactorEnabled, totpCode),
      });
      onRevoked(revoked.length);
    } catch (caught) {
      const message = describeError(caught, language, t);
      setBusy(false);
      if (errorField(caught) === 'totpCode' || errorField(caught) === 'password') {
        setCodeError(message);
        window.setTimeout(() => codeInput.current?.focus(), 0);
      } else {
        setError(message);
        window.setTimeout(() => errorBox.current?.focus(), 0);
      }
    }
  };

  return (
    <Dialog
      title={t('revokeAll.title')}
      onClose={busy ? undefined : onClose}
      initialFocus={cancel}
      description={<p>{t('revokeAll.body')}</p>}
      footer={
        <DangerFooter
          cancelRef={cancel}
          onCancel={onClose}
          onConfirm={revoke}
          busy={busy}
          confirmLabel={t('revokeAll.confirmCount', { count: affected.length })}
          busyLabel={t('revoke.revoking')}
        />
      }
    >
      <div ref={errorBox} tabIndex={-1} className="form-error-anchor">
        <FormError message={error} />
      </div>
      <div className="field">
        <label htmlFor="revoke-all-scope">{t('revokeAll.scope')}</label>
        <select id="revoke-all-scope" value={scope} onChange={(event) => setScope(event.target.value)}>
          <option value="">{t('revokeAll.everything', { count: keys.length })}</option>
          {subaccounts.map((key) => (
            <option key={key.subaccountId} value={key.subaccountId}>
              {t('revokeAll.subaccountCount', {
                name: keySubaccountLabel(key, t),
                count: keys.filter((k) => k.subaccountId === key.subaccountId).length,
              })}
            </option>
          ))}
        </select>
      </div>
      <div>
        <p className="subheading" id="revoke-all-list">
          {t('revokeAll.willStop', { count: affected.length })}
        </p>
        <ul className="revoke-list" aria-labelledby="revoke-all-list" data-testid="revoke-all-keys">
          {affected.map((key) => (
            <li key={key.id}>
              <strong>{key.name}</strong> <span className="muted">{keySubaccountLabel(key, t)}</span>{' '}
              <code>{shortKey(key.apiKey)}</code>
            </li>
          ))}
        </ul>
      </div>
      <KeyProofField value={totpCode} onChange={setTotpCode} error={codeError} inputRef={codeInput} />
    </Dialog>
  );
}
