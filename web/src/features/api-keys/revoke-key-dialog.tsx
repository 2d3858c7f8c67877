/** Confirms revoking a key (with the 2FA code when 2FA is on); the key stops working on its next request. */
import { useRef, useState, type ReactNode } from 'react';

import { consoleApi, type ApiKey } from '../../api/console-api.ts';
import { describeError, errorField } from '../../api/error-message.ts';
import { DangerFooter, Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { TotpField } from './totp-field.tsx';

export function RevokeKeyDialog({
  apiKey,
  onClose,
  onRevoked,
}: {
  apiKey: ApiKey;
  onClose: () => void;
  onRevoked: () => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user } = useSession();
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [codeError, setCodeError] = useState<string>();
  const cancel = useRef<HTMLButtonElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);

  const revoke = async (): Promise<void> => {
    if (busy) return;
    setBusy(true);
    setError(undefined);
    setCodeError(undefined);
    try {
      await consoleApi.revokeKey(apiKey.id, user.twoFactorEnabled ? totpCode : undefined);
      onRevoked();
    } catch (caught) {
      const message = describeError(caught, language, t);
      setBusy(false);
      // The focus goes where the problem is, never to the page behind.
      if (errorField(caught) === 'totpCode' && user.twoFactorEnabled) {
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
      title={t('revoke.title')}
      onClose={busy ? undefined : onClose}
      initialFocus={cancel}
      description={<p>{t('revoke.body', { name: apiKey.name })}</p>}
      footer={
        <DangerFooter
          cancelRef={cancel}
          onCancel={onClose}
          onConfirm={revoke}
          busy={busy}
          confirmLabel={t('revoke.confirm')}
          busyLabel={t('revoke.revoking')}
        />
      }
    >
      <div ref={errorBox} tabIndex={-1} className="form-error-anchor">
        <FormError message={error} />
      </div>
      <p className="mono small break">{apiKey.apiKey}</p>
      {user.twoFactorEnabled && (
        <TotpField value={totpCode} onChange={setTotpCode} error={codeError} inputRef={codeInput} />
      )}
    </Dialog>
  );
}
