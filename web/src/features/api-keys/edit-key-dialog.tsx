/**
 * Edit an API key: name, Read Only / Allow withdrawals, IP allowlist, expiry. Effective on the key's next request.
 * The proof field (the 2FA code, or the password without 2FA) is shown; the server asks for it only when the change
 * widens the key (a permission, an address, a later expiry), so renaming and narrowing work without it.
 *
 * As in New API Key: every problem the page can see is shown at once on its field, a server error on the field
 * its detail names, the focus moves to the first error, and closing with changes asks first.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { ApiError, consoleApi, type ApiKey } from '../../api/console-api.ts';
import { describeError, errorField, type ErrorField } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { Field, FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import {
  allowlistEntries,
  expiryToSend,
  initialControls,
  KeyControlsFields,
  PermissionFields,
  permissionsOf,
  validateKeyControls,
} from './key-controls-fields.tsx';
import { KeyProofField, keyProof } from './totp-field.tsx';

type Errors = Partial<Record<ErrorField, string>>;
const FIELD_ORDER: ErrorField[] = ['form', 'name', 'permissions', 'allowedIps', 'expiresAt', 'totpCode'];
/** The proof field takes the code's errors and the password's alike. */
const proofField = (field: ErrorField): ErrorField => (field === 'password' ? 'totpCode' : field);

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
  const { user, customPermissions } = useSession();
  const [name, setName] = useState(apiKey.name);
  const [initial] = useState(() => initialControls(apiKey));
  const [controls, setControls] = useState(initial);
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const refs = {
    form: useRef<HTMLDivElement>(null),
    name: useRef<HTMLInputElement>(null),
    allowedIps: useRef<HTMLTextAreaElement>(null),
    expiresAt: useRef<HTMLInputElement>(null),
    totpCode: useRef<HTMLInputElement>(null),
  };
  const dirty = name !== apiKey.name || JSON.stringify(controls) !== JSON.stringify(initial);

  const fail = (found: Errors): void => {
    setErrors(found);
    const first = FIELD_ORDER.find((field) => found[field] !== undefined);
    window.setTimeout(() => {
      const target = first && first in refs ? refs[first as keyof typeof refs].current : null;
      (target ?? refs.form.current)?.focus();
    }, 0);
  };

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    const now = Date.now();
    const found: Errors = { ...validateKeyControls(controls, now, t) };
    if (name.trim() === '') found.name = t('newKey.nameRequired');
    if (Object.keys(found).length > 0) return fail(found);
    setErrors({});
    setBusy(true);
    const entries = allowlistEntries(controls);
    try {
      const key = await consoleApi.updateKey(apiKey.id, {
        name: name.trim(),
        permissions: permissionsOf(controls),
        allowedIps: entries.length > 0 ? entries : null,
        ...(entries.length > 0 ? { allowAnyAddress: controls.allowAnyAddress } : {}),
        expiresAt: expiryToSend(controls, now),
        ...keyProof(user.twoFactorEnabled, totpCode),
      });
      onSaved(key);
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : new ApiError(0, 'CLIENT_ERROR', String(caught));
      setBusy(false);
      const field = proofField(errorField(error));
      fail({
        [field === 'subaccount' || field === 'publicKey' ? 'form' : field]: describeError(error, language, t),
      });
    }
  };

  return (
    <Dialog
      title={t('edit.title')}
      onClose={busy ? undefined : onClose}
      dirty={dirty}
      initialFocus={refs.name}
      footer={(close) => (
        <>
          <button type="button" className="button button-secondary" onClick={close} disabled={busy}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            form="edit-api-key-form"
            className="button button-primary"
            aria-disabled={busy ? true : undefined}
          >
            {busy ? t('edit.saving') : t('edit.save')}
          </button>
        </>
      )}
    >
      <form id="edit-api-key-form" className="form" onSubmit={submit} noValidate>
        <div ref={refs.form} tabIndex={-1} className="form-error-anchor">
          <FormError message={errors.form ?? errors.permissions} />
        </div>
        <p className="mono small break">{apiKey.apiKey}</p>
        <Field
          label={t('newKey.name')}
          name="name"
          maxLength={64}
          autoComplete="off"
          inputRef={refs.name}
          value={name}
          error={errors.name}
          onChange={(event) => setName(event.target.value)}
        />
        <PermissionFields state={controls} onChange={setControls} available={customPermissions} />
        <KeyControlsFields
          state={controls}
          onChange={setControls}
          now={Date.now()}
          allowlistRef={refs.allowedIps}
          expiryRef={refs.expiresAt}
          errors={{ allowedIps: errors.allowedIps, expiresAt: errors.expiresAt }}
        />
        <KeyProofField
          value={totpCode}
          onChange={setTotpCode}
          error={errors.totpCode}
          hint={t('edit.totpHint')}
          inputRef={refs.totpCode}
        />
      </form>
    </Dialog>
  );
}
