/**
 * The New API Key dialog. With Public Key left empty (what most people do) the key pair is generated here, in
 * the browser (WebCrypto Ed25519, pure-JS fallback: src/client/signer.ts), and only the public key is sent;
 * the secret goes straight to the "created" dialog and nowhere else. Server errors land next to the field they
 * concern (public key, 2FA code, name) or at the top of the form.
 */
import { useRef, useState, type FormEvent, type ReactNode } from 'react';

import { generateKeyPair } from '../../../../src/client/signer.ts';
import { ApiError, consoleApi } from '../../api/console-api.ts';
import { describeError } from '../../api/error-message.ts';
import { Dialog } from '../../components/dialog.tsx';
import { Field, FormError } from '../../components/field.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { navigate } from '../../router.ts';
import { useSession } from '../../session.tsx';
import { useResource } from '../../use-resource.ts';
import type { CreatedKey } from './created-key-dialog.tsx';

type FieldName = 'name' | 'publicKey' | 'totpCode' | 'form';

function fieldOf(error: ApiError): FieldName {
  if (error.code === 'INVALID_TWO_FACTOR_CODE') return 'totpCode';
  if (/public key/i.test(error.message)) return 'publicKey';
  if (/key name/i.test(error.message)) return 'name';
  return 'form';
}

export function NewApiKeyDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: CreatedKey) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user, requireTwoFactorForKeys } = useSession();
  const subaccounts = useResource(consoleApi.listSubaccounts);
  const [name, setName] = useState('');
  const [subaccountId, setSubaccountId] = useState('');
  const [publicKey, setPublicKey] = useState('');
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const [readOnly, setReadOnly] = useState(false);
  const [totpCode, setTotpCode] = useState('');
  const [busy, setBusy] = useState<'generating' | 'creating'>();
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const nameInput = useRef<HTMLInputElement>(null);

  const blocked = requireTwoFactorForKeys && !user.twoFactorEnabled;
  const mainId = subaccounts.data?.find((s) => s.isMain)?.id ?? '';

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (busy || blocked) return;
    setErrors({});
    if (name.trim() === '') {
      setErrors({ name: `${t('newKey.name')}: ${t('common.required')}` });
      nameInput.current?.focus();
      return;
    }
    try {
      let pair: { apiKey: string; secret?: string };
      const supplied = publicKey.trim();
      if (supplied === '') {
        setBusy('generating');
        pair = await generateKeyPair();
      } else {
        pair = { apiKey: supplied };
      }
      setBusy('creating');
      const key = await consoleApi.createKey({
        name: name.trim(),
        subaccountId: subaccountId || mainId,
        readOnly,
        publicKey: pair.apiKey,
        publicKeySource: pair.secret === undefined ? 'user' : 'browser',
        ...(user.twoFactorEnabled ? { totpCode } : {}),
      });
      onCreated({ key, secret: pair.secret });
    } catch (caught) {
      const error =
        caught instanceof ApiError ? caught : new ApiError(0, 'CLIENT_ERROR', (caught as Error).message);
      const field = fieldOf(error);
      if (field === 'publicKey') setAdvancedOpen(true);
      setErrors({ [field]: describeError(error, language, t) });
      setBusy(undefined);
    }
  };

  const footer = (
    <>
      <button type="button" className="button button-secondary" onClick={onClose}>
        {t('common.cancel')}
      </button>
      <button
        type="submit"
        form="new-api-key-form"
        className="button button-primary"
        disabled={busy !== undefined || blocked}
      >
        {busy === 'generating'
          ? t('newKey.generating')
          : busy === 'creating'
            ? t('newKey.creating')
            : t('newKey.create')}
      </button>
    </>
  );

  return (
    <Dialog
      title={t('newKey.title')}
      onClose={busy ? undefined : onClose}
      initialFocus={nameInput}
      footer={footer}
    >
      <form id="new-api-key-form" className="form" onSubmit={submit} noValidate>
        {blocked && (
          <div className="alert alert-warning" role="alert">
            <span>{t('newKey.twoFactorRequired')}</span>
            <button
              type="button"
              className="button button-secondary button-small"
              onClick={() => {
                onClose();
                navigate('/settings/security');
              }}
            >
              {t('newKey.enableTwoFactor')}
            </button>
          </div>
        )}
        <FormError message={errors.form} />
        <Field
          label={t('newKey.name')}
          name="name"
          required
          maxLength={64}
          autoComplete="off"
          placeholder={t('newKey.namePlaceholder')}
          inputRef={nameInput}
          value={name}
          error={errors.name}
          onChange={(event) => setName(event.target.value)}
        />
        <div className="field">
          <label htmlFor="new-key-subaccount">{t('newKey.subaccount')}</label>
          <select
            id="new-key-subaccount"
            name="subaccountId"
            value={subaccountId || mainId}
            disabled={!subaccounts.data}
            onChange={(event) => setSubaccountId(event.target.value)}
          >
            {(subaccounts.data ?? []).map((subaccount) => (
              <option key={subaccount.id} value={subaccount.id}>
                {subaccount.name}
              </option>
            ))}
          </select>
          {subaccounts.error && <p className="field-error">{subaccounts.error}</p>}
        </div>
        <details
          className="advanced"
          open={advancedOpen}
          onToggle={(event) => setAdvancedOpen((event.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>{t('newKey.advanced')}</summary>
          <Field
            label={t('newKey.publicKey')}
            labelNote={t('newKey.publicKeyOptional')}
            name="publicKey"
            autoComplete="off"
            spellCheck={false}
            className="field-mono"
            hint={t('newKey.publicKeyHint')}
            value={publicKey}
            error={errors.publicKey}
            onChange={(event) => setPublicKey(event.target.value)}
          />
        </details>
        <div className="field">
          <label className="switch">
            <input
              type="checkbox"
              role="switch"
              name="readOnly"
              aria-describedby="read-only-hint"
              checked={readOnly}
              onChange={(event) => setReadOnly(event.target.checked)}
            />
            <span className="switch-track" aria-hidden="true" />
            <span>{t('newKey.readOnly')}</span>
          </label>
          <p id="read-only-hint" className="hint">
            {t('newKey.readOnlyHint')}
          </p>
        </div>
        {user.twoFactorEnabled && (
          <Field
            label={t('newKey.totpCode')}
            hint={t('newKey.totpHint')}
            name="totpCode"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            required
            value={totpCode}
            error={errors.totpCode}
            onChange={(event) => setTotpCode(event.target.value.replace(/\D/g, ''))}
          />
        )}
      </form>
    </Dialog>
  );
}
