/**
 * Turning 2FA off, confirmed: the dialog says what it unprotects (sign-in with the password alone; key changes and
 * the address book with the password; API withdrawals paused for a day) and takes the current code or an unused
 * recovery code. After a wrong code the focus goes back to the field.
 */
import { useRef, useState, type ReactNode } from 'react';

import { consoleApi, type User } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { DangerFooter, Dialog } from '../../components/dialog.tsx';
import { Field } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';

export function DisableTwoFactorDialog({
  onClose,
  onDisabled,
}: {
  onClose: () => void;
  onDisabled: (user: User, apiWithdrawalsPausedUntil: number | null) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const cancel = useRef<HTMLButtonElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);

  const disable = async (): Promise<void> => {
    if (busy) return;
    if (code.trim() === '') {
      setError(t('disable2fa.codeRequired'));
      codeInput.current?.focus();
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const result = await consoleApi.disableTwoFactor(code.trim());
      onDisabled(result.user, result.apiWithdrawalsPausedUntil ?? null);
    } catch (caught) {
      setBusy(false);
      setError(describeError(caught, language, t));
      window.setTimeout(() => codeInput.current?.focus(), 0);
    }
  };

  return (
    <Dialog
      title={t('disable2fa.title')}
      onClose={busy ? undefined : onClose}
      initialFocus={codeInput}
      description={<p>{t('disable2fa.body')}</p>}
      footer={
        <DangerFooter
          cancelRef={cancel}
          onCancel={onClose}
          onConfirm={disable}
          busy={busy}
          confirmLabel={t('disable2fa.confirm')}
          busyLabel={t('security.disabling')}
        />
      }
    >
      <ul className="consequences">
        <li>{t('disable2fa.signIn')}</li>
        <li>{t('disable2fa.keys')}</li>
        <li>{t('disable2fa.withdrawals')}</li>
        <li>{t('disable2fa.recoveryCodes')}</li>
      </ul>
      <Field
        label={t('disable2fa.code')}
        hint={t('disable2fa.codeHint')}
        name="code"
        autoComplete="one-time-code"
        maxLength={16}
        inputRef={codeInput}
        value={code}
        error={error}
        onChange={(event) => setCode(event.target.value)}
      />
    </Dialog>
  );
}
