/** Revoke every live key of the account or of one subaccount: the button for a compromised machine. */
import { useRef, useState, type ReactNode } from 'react';

import { consoleApi } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { DangerFooter, Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { useResource } from '../../use-resource.ts';
import { TotpField } from './totp-field.tsx';

export function RevokeAllDialog({
  onClose,
  onRevoked,
}: {
  onClose: () => void;
  onRevoked: (count: number) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user } = useSession();
  const subaccounts = useResource(consoleApi.listSubaccounts);
  const [scope, setScope] = useState('');
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const cancel = useRef<HTMLButtonElement>(null);

  const revoke = async (): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      const { revoked } = await consoleApi.revokeAllKeys({
        ...(scope ? { subaccountId: scope } : {}),
        ...(user.twoFactorEnabled ? { totpCode } : {}),
      });
      onRevoked(revoked.length);
    } catch (caught) {
      setError(describeError(caught, language, t));
      setBusy(false);
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
          confirmLabel={t('revokeAll.confirm')}
          busyLabel={t('revoke.revoking')}
        />
      }
    >
      <FormError message={error} />
      <div className="field">
        <label htmlFor="revoke-all-scope">{t('revokeAll.scope')}</label>
        <select id="revoke-all-scope" value={scope} onChange={(event) => setScope(event.target.value)}>
          <option value="">{t('revokeAll.everything')}</option>
          {(subaccounts.data ?? []).map((s) => (
            <option key={s.id} value={s.id}>
              {s.name}
            </option>
          ))}
        </select>
      </div>
      {user.twoFactorEnabled && <TotpField value={totpCode} onChange={setTotpCode} />}
    </Dialog>
  );
}
