/**
 * The New API Key dialog. With Public Key left empty (what most people do, and what the hint recommends) the key
 * pair is generated here, in the browser (WebCrypto Ed25519, pure-JS fallback: src/client/signer.ts), and only the
 * public key is sent; the secret goes straight to the "created" dialog and nowhere else. The seed's flow stays as
 * simple as it was (name, subaccount, public key, Read Only, Create); permissions beyond Read Only, the IP
 * allowlist and the expiry wait under "Advanced". A subaccount can be added without leaving the dialog. Server
 * errors land next to the field they concern (public key, 2FA code, name, allowlist, expiry) or at the top.
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
import {
  allowlistEntries,
  expiryToSend,
  initialControls,
  KeyControlsFields,
} from './key-controls-fields.tsx';

type FieldName = 'name' | 'publicKey' | 'totpCode' | 'allowedIps' | 'expiresAt' | 'subaccount' | 'form';

function fieldOf(error: ApiError): FieldName {
  if (error.code === 'INVALID_TWO_FACTOR_CODE') return 'totpCode';
  if (/public key/i.test(error.message)) return 'publicKey';
  if (/key name/i.test(error.message)) return 'name';
  if (/allowlist/i.test(error.message)) return 'allowedIps';
  if (/expiry/i.test(error.message)) return 'expiresAt';
  return 'form';
}

/** 64 hex digits: a raw public key someone copied as hex (a common mistake); Signet wants base64. */
export function looksLikeHex(value: string): boolean {
  return /^(0x)?[0-9a-fA-F]{64}$/.test(value.trim());
}

export function NewApiKeyDialog({
  onClose,
  onCreated,
}: {
  onClose: () => void;
  onCreated: (created: CreatedKey) => void;
}): ReactNode {
  const { t, language } = useI18n();
  const { user, requireTwoFactorForKeys, withdrawalsOptIn } = useSession();
  const subaccounts = useResource(consoleApi.listSubaccounts);
  const [controls, setControls] = useState(() => initialControls({ allowWithdrawals: !withdrawalsOptIn }));
  const [addingSubaccount, setAddingSubaccount] = useState(false);
  const [newSubaccountName, setNewSubaccountName] = useState('');
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
    if (looksLikeHex(publicKey)) {
      setErrors({ publicKey: t('newKey.publicKeyHex') });
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
        ...(readOnly
          ? {}
          : { permissions: controls.allowWithdrawals ? ['read', 'trade', 'withdraw'] : ['read', 'trade'] }),
        ...(allowlistEntries(controls).length > 0
          ? { allowedIps: allowlistEntries(controls), allowAnyAddress: controls.allowAnyAddress }
          : {}),
        expiresAt: expiryToSend(controls),
        publicKey: pair.apiKey,
        publicKeySource: pair.secret === undefined ? 'user' : 'browser',
        ...(user.twoFactorEnabled ? { totpCode } : {}),
      });
      onCreated({ key, secret: pair.secret });
    } catch (caught) {
      const error =
        caught instanceof ApiError ? caught : new ApiError(0, 'CLIENT_ERROR', (caught as Error).message);
      const field = fieldOf(error);
      if (field === 'allowedIps' || field === 'expiresAt') setAdvancedOpen(true);
      setErrors({ [field]: describeError(error, language, t) });
      setBusy(undefined);
    }
  };

  const addSubaccount = async (): Promise<void> => {
    try {
      const created = await consoleApi.createSubaccount(newSubaccountName.trim());
      subaccounts.reload();
      setSubaccountId(created.id);
      setAddingSubaccount(false);
      setNewSubaccountName('');
      setErrors({});
    } catch (caught) {
      setErrors({ subaccount: describeError(caught, language, t) });
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
          {addingSubaccount ? (
            <div className="inline-form">
              <input
                aria-label={t('newKey.newSubaccountName')}
                placeholder={t('newKey.newSubaccountName')}
                name="newSubaccountName"
                maxLength={64}
                autoFocus
                value={newSubaccountName}
                onChange={(event) => setNewSubaccountName(event.target.value)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter') {
                    event.preventDefault();
                    void addSubaccount();
                  }
                }}
              />
              <button
                type="button"
                className="button button-secondary button-small"
                disabled={newSubaccountName.trim() === ''}
                onClick={() => void addSubaccount()}
              >
                {t('newKey.addSubaccount')}
              </button>
            </div>
          ) : (
            <button type="button" className="link-button" onClick={() => setAddingSubaccount(true)}>
              + {t('newKey.newSubaccount')}
            </button>
          )}
          {errors.subaccount && (
            <p className="field-error" role="alert">
              {errors.subaccount}
            </p>
          )}
        </div>
        <Field
          label={t('newKey.publicKey')}
          labelNote={t('newKey.publicKeyOptional')}
          name="publicKey"
          autoComplete="off"
          spellCheck={false}
          className="field-mono"
          hint={
            <>
              {t('newKey.publicKeyHintBefore')}
              <a href="/docs/protocol" target="_blank" rel="noopener">
                {t('newKey.signingGuide')}
              </a>
              {t('newKey.publicKeyHintAfter')}
            </>
          }
          value={publicKey}
          error={errors.publicKey ?? (looksLikeHex(publicKey) ? t('newKey.publicKeyHex') : undefined)}
          onChange={(event) => setPublicKey(event.target.value)}
        />
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
        <details
          className="advanced"
          open={advancedOpen}
          onToggle={(event) => setAdvancedOpen((event.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>{t('newKey.advanced')}</summary>
          <KeyControlsFields
            state={controls}
            onChange={setControls}
            readOnly={readOnly}
            errors={{ allowedIps: errors.allowedIps, expiresAt: errors.expiresAt }}
          />
        </details>
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
