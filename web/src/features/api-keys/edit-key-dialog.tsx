/**
 * Edit an API key: name, Read Only / Allow withdrawals, IP allowlist, expiry. Effective on the key's next request.
 * With 2FA on, the code field is shown; the server asks for it only when the change widens the key (a permission,
 * an address, a later expiry), so renaming and narrowing work without it.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { ApiError, consoleApi, type ApiKey, type Permission } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { Field, FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import {
  allowlistEntries,
  expiryToSend,
  initialControls,
  KeyControlsFields,
} from './key-controls-fields.tsx';
import { TotpField } from './totp-field.tsx';

export function EditKeyDialog({
  apiKey,
  onClose,
  onSaved,
}: {
  apiKey: ApiKey;
  onClose: () => void;
  onSaved: (key: ApiKey) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user } = useSession();
  const [name, setName] = useState(apiKey.name);
  const [readOnly, setReadOnly] = useState(apiKey.readOnly);
  const [controls, setControls] = useState(() => initialControls({ key: apiKey, allowWithdrawals: true }));
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string | undefined>>({});
  const nameInput = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    setErrors({});
    setBusy(true);
    const permissions: Permission[] = readOnly
      ? ['read']
      : controls.allowWithdrawals
        ? ['read', 'trade', 'withdraw']
        : ['read', 'trade'];
    const entries = allowlistEntries(controls);
    try {
      const key = await consoleApi.updateKey(apiKey.id, {
        name: name.trim(),
        permissions,
        allowedIps: entries.length > 0 ? entries : null,
        ...(entries.length > 0 ? { allowAnyAddress: controls.allowAnyAddress } : {}),
        expiresAt: expiryToSend(controls),
        ...(user.twoFactorEnabled && totpCode ? { totpCode } : {}),
      });
      onSaved(key);
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(0, 'CLIENT_ERROR', String(caught));
      const message = describeError(error, language, t);
      if (error.code === 'INVALID_TWO_FACTOR_CODE') setErrors({ totpCode: message });
      else if (/allowlist/i.test(error.message)) setErrors({ allowedIps: message });
      else if (/expiry/i.test(error.message)) setErrors({ expiresAt: message });
      else if (/key name/i.test(error.message)) setErrors({ name: message });
      else setErrors({ form: message });
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('edit.title')}
      onClose={busy ? undefined : onClose}
      initialFocus={nameInput}
      footer={
        <>
          <button type="button" className="button button-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" form="edit-api-key-form" className="button button-primary" disabled={busy}>
            {busy ? t('edit.saving') : t('edit.save')}
          </button>
        </>
      }
    >
      <form id="edit-api-key-form" className="form" onSubmit={submit} noValidate>
        <FormError message={errors.form} />
        <p className="mono small break">{apiKey.apiKey}</p>
        <Field
          label={t('newKey.name')}
          name="name"
          maxLength={64}
          autoComplete="off"
          inputRef={nameInput}
          value={name}
          error={errors.name}
          onChange={(event) => setName(event.target.value)}
        />
        <div className="field">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              name="readOnly"
              checked={readOnly}
              onChange={(event) => setReadOnly(event.target.checked)}
            />
            <span className="switch-track" aria-hidden="true" />
            <span>{t('newKey.readOnly')}</span>
          </label>
        </div>
        <KeyControlsFields
          state={controls}
          onChange={setControls}
          readOnly={readOnly}
          errors={{ allowedIps: errors.allowedIps, expiresAt: errors.expiresAt }}
        />
        {user.twoFactorEnabled && (
          <TotpField
            value={totpCode}
            onChange={setTotpCode}
            error={errors.totpCode}
            hint={t('edit.totpHint')}
          />
        )}
      </form>
    </Dialog>
  );
}
